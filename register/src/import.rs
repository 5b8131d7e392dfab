//! Importing records from CSV: the header names fields (or common aliases), each cell is
//! read as its field's type, and every row is checked as the server will check it. Nothing
//! is imported unless every row is valid, and every problem is reported with its row.

use crate::{FieldType, Kind, Value};

/// Most rows one import takes.
pub const IMPORT_MAX_ROWS: usize = 10_000;

/// Friendlier column names people use for some fields.
fn alias(kind: Kind, header: &str) -> String {
    let header = header.trim().to_lowercase().replace([' ', '-'], "_");
    match (kind, header.as_str()) {
        (Kind::Risk, "likelihood") => "inherent_likelihood".into(),
        (Kind::Risk, "impact") => "inherent_impact".into(),
        _ => header,
    }
}

fn cell_value(ty: FieldType, cell: &str) -> Option<Value> {
    let cell = cell.trim();
    Some(match ty {
        FieldType::Int { .. } => cell
            .parse()
            .map_or_else(|_| Value::Text(cell.into()), Value::Int),
        FieldType::Num { .. } => cell
            .parse()
            .map_or_else(|_| Value::Text(cell.into()), Value::Num),
        FieldType::Bool => match cell.to_lowercase().as_str() {
            "yes" | "true" | "y" | "1" => Value::Bool(true),
            "no" | "false" | "n" | "0" => Value::Bool(false),
            _ => Value::Text(cell.into()),
        },
        FieldType::Refs(_) | FieldType::Lines { .. } => {
            Value::List(cell.split(';').map(|s| s.trim().to_owned()).collect())
        }
        _ => Value::Text(cell.into()),
    })
}

/// The records in `text`, one list of (field, value) per row; or every problem found.
pub fn parse_csv(kind: Kind, text: &str) -> Result<Vec<Vec<(String, Value)>>, Vec<String>> {
    let spec = kind.spec();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers
            .iter()
            .map(|h| alias(kind, crate::sheet::unescaped(h)))
            .collect(),
        Err(error) => return Err(vec![format!("The file is not readable CSV: {error}.")]),
    };
    let mut problems = Vec::new();
    for header in &headers {
        if spec.field(header).is_none() {
            problems.push(format!(
                "Column “{header}” is not a field of a {}.",
                spec.label
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if rows.len() == IMPORT_MAX_ROWS {
            problems.push(format!(
                "At most {IMPORT_MAX_ROWS} rows can be imported at once."
            ));
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(format!("Row {line}: {error}."));
                continue;
            }
        };
        let fields: Vec<(String, Value)> = headers
            .iter()
            .zip(record.iter().map(crate::sheet::unescaped))
            .filter(|(_, cell)| !cell.trim().is_empty())
            .filter_map(|(header, cell)| {
                let field = spec.field(header)?;
                Some((field.name.to_owned(), cell_value(field.ty, cell)?))
            })
            .collect();
        let borrowed: Vec<(&str, Value)> = fields
            .iter()
            .map(|(f, v)| (f.as_str(), v.clone()))
            .collect();
        match spec.check_new(&borrowed, &crate::rules::Nothing) {
            Ok(()) => rows.push(fields),
            Err(errors) => problems.extend(
                errors
                    .into_iter()
                    .map(|e| format!("Row {line}: {}", e.message)),
            ),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_marked_as_text_on_export_reads_back_as_it_was() {
        let rows = parse_csv(
            Kind::Risk,
            "title,likelihood,impact\n'=HYPERLINK(\"x\"),4,3\n",
        )
        .unwrap();
        assert_eq!(
            rows[0][0],
            ("title".to_owned(), Value::from("=HYPERLINK(\"x\")"))
        );
    }

    #[test]
    fn rows_become_typed_fields_with_aliases() {
        let rows = parse_csv(Kind::Risk, "Title,Likelihood,Impact,Treatment\nPhishing,4,3,mitigate\n\"Lost, stolen laptop\",2,5,\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            vec![
                ("title".to_owned(), Value::from("Phishing")),
                ("inherent_likelihood".to_owned(), Value::Int(4)),
                ("inherent_impact".to_owned(), Value::Int(3)),
                ("treatment".to_owned(), Value::from("mitigate")),
            ]
        );
        assert_eq!(rows[1][0].1, Value::from("Lost, stolen laptop"));
    }

    #[test]
    fn every_problem_is_reported_with_its_row_and_nothing_is_imported() {
        let problems =
            parse_csv(Kind::Risk, "title,likelihood,impact\nOk,1,1\n,9,x\n").unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().all(|p| p.starts_with("Row 3:")));
        let problems = parse_csv(Kind::Risk, "title,colour\nA,red\n").unwrap_err();
        assert_eq!(problems, ["Column “colour” is not a field of a Risk."]);
        assert!(
            parse_csv(Kind::Risk, "title,likelihood,impact\nA,1\n").is_err(),
            "ragged rows"
        );
    }
}
