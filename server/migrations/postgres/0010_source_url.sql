-- Pol.is in and out (issue 19): where an imported conversation came from (summary.csv's
-- `url`, e.g. https://pol.is/7wmvbjcjhp), written back to its exports' summary.csv, so the
-- CC BY attribution of Pol.is data survives an import. NULL for conversations made here.
ALTER TABLE conversations ADD COLUMN source_url TEXT;
