//! The statistics as CSV for HR's spreadsheet: one row per case, written with the `csv` crate
//! (quoting as spreadsheets expect), UTF-8 with a byte-order mark so Excel reads æøå.

/// Writes a header and rows.
pub fn write(headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        w.write_record(headers)?;
        for r in rows {
            w.write_record(r)?;
        }
        w.flush()?;
    }
    Ok(out)
}
