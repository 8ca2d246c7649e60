//! Downloads built in the page: a file from a string, and a PNG of an SVG via a canvas.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The file's media type, from the one export list (`mufakat_core::report_files`).
fn mime(name: &str) -> &'static str {
    mufakat_core::report_files::export_file(name).map_or("text/plain", |f| f.media_type)
}

fn blob_url(contents: &str, mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&format!("{mime};charset=utf-8"));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

fn click_link(href: &str, name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(a) = document.create_element("a") else { return };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else { return };
    a.set_href(href);
    a.set_download(name);
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
}

/// Offers `contents` as a download named `name`.
pub fn save_text(name: &str, contents: &str) {
    if let Some(url) = blob_url(contents, mime(name)) {
        click_link(&url, name);
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}

/// Offers an already rendered `blob:` URL as a download (synchronous, so the click's user
/// gesture still counts and the browser does not block it as an automatic download).
pub fn save_url(name: &str, url: &str) {
    click_link(url, name);
}

/// Draws `svg` on a canvas at twice its size; `done` receives the PNG as a `blob:` URL.
pub fn render_png(svg: &str, done: impl FnOnce(String) + 'static) {
    let Some(url) = blob_url(svg, "image/svg+xml") else { return };
    let Ok(img) = web_sys::HtmlImageElement::new() else { return };
    let img2 = img.clone();
    let url2 = url.clone();
    let onload = Closure::once_into_js(move || {
        if let Some(canvas) = draw(&img2) {
            let on_blob = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
                if let Some(url) = blob.and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok()) {
                    done(url);
                }
            });
            let _ = canvas.to_blob_with_type(on_blob.unchecked_ref(), "image/png");
        }
        let _ = web_sys::Url::revoke_object_url(&url2);
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&url);
}

fn draw(img: &web_sys::HtmlImageElement) -> Option<web_sys::HtmlCanvasElement> {
    let document = web_sys::window()?.document()?;
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    let (w, h) = (img.natural_width().max(1) * 2, img.natural_height().max(1) * 2);
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.draw_image_with_html_image_element_and_dw_and_dh(img, 0.0, 0.0, w as f64, h as f64).ok()?;
    Some(canvas)
}
