//! A register to and from CSV. Every register exports its records with an `id` column and one
//! column per field (`export`), and imports the same columns back (`parse_csv`): a row with
//! the id of a record the register holds changes only the cells that differ (an emptied cell
//! clears its field), a row without one adds a record. The header names fields (or common
//! aliases), each cell is read as its field's type, and every row is checked as the server
//! will check it. Nothing is imported unless every row is valid, and every problem is
//! reported with its row.

use crate::{FieldType, Kind, RecordId, Replica, Value, gate::Edit, schema::DELETED, sheet::Sheet};

/// The column that names a record.
pub const ID_COLUMN: &str = "id";

/// The byte-order mark some spreadsheet programs need to read a file as UTF-8.
pub const BYTE_ORDER_MARK: char = '\u{FEFF}';

/// One row of an import: the record it names, if any, and its fields as read. For a row
/// naming a record, an empty cell is `Value::Null` (it clears the field); otherwise empty
/// cells are left out.
#[derive(Clone, PartialEq, Debug)]
pub struct Row {
    pub id: Option<RecordId>,
    pub fields: Vec<(&'static str, Value)>,
}

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
        // Lines are written one per line (`export`); typed by hand, separated by semicolons.
        FieldType::Lines { .. } if cell.contains('\n') => Value::List(
            cell.split_terminator('\n')
                .map(|s| s.trim_end_matches('\r').to_owned())
                .collect(),
        ),
        FieldType::Refs(_) | FieldType::Lines { .. } => {
            Value::List(cell.split(';').map(|s| s.trim().to_owned()).collect())
        }
        _ => Value::Text(cell.into()),
    })
}

/// The rows in `text`; or every problem found.
pub fn parse_csv(kind: Kind, text: &str) -> Result<Vec<Row>, Vec<String>> {
    let spec = kind.spec();
    let text = text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text);
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
        if header != ID_COLUMN && spec.field(header).is_none() {
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
        let cells: Vec<(&String, &str)> = headers
            .iter()
            .zip(record.iter().map(crate::sheet::unescaped))
            .collect();
        let id = match cells.iter().find(|(header, _)| *header == ID_COLUMN) {
            None => None,
            Some((_, cell)) if cell.trim().is_empty() => None,
            Some((_, cell)) => match cell.trim().parse::<RecordId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.push(format!("Row {line}: “{cell}” is not a record id."));
                    continue;
                }
            },
        };
        let fields: Vec<(&'static str, Value)> = cells
            .iter()
            .filter_map(|(header, cell)| {
                let field = spec.field(header)?;
                if cell.trim().is_empty() {
                    return id.is_some().then_some((field.name, Value::Null));
                }
                Some((field.name, cell_value(field.ty, cell)?))
            })
            .collect();
        // A new record is checked whole, as the server will; a row naming a record, cell by
        // cell (its record rules are judged with the register when it is stored).
        let checked = match id {
            None => {
                let borrowed: Vec<(&str, Value)> = fields.clone();
                spec.check_new(&borrowed, &crate::rules::Nothing)
                    .map_err(|errors| errors.into_iter().map(|e| e.message).collect())
            }
            Some(_) => {
                let wrong: Vec<String> = fields
                    .iter()
                    .filter_map(|(name, value)| spec.field(name)?.check(value).err())
                    .map(|invalid| invalid.message)
                    .collect();
                if wrong.is_empty() { Ok(()) } else { Err(wrong) }
            }
        };
        match checked {
            Ok(()) => rows.push(Row { id, fields }),
            Err(messages) => problems.extend(
                messages
                    .into_iter()
                    .map(|message: String| format!("Row {line}: {message}")),
            ),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// Whether a cell's value says what the stored one does (texts alike but for the spaces
/// around them, an empty list as nothing).
fn same(stored: Option<&Value>, read: &Value) -> bool {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::Text(t) => t.trim().is_empty(),
        Value::List(items) => items.is_empty(),
        _ => false,
    };
    match (stored, read) {
        (None, read) => empty(read),
        (Some(stored), read) if empty(stored) && empty(read) => true,
        (Some(Value::Text(a)), Value::Text(b)) => a.trim() == b.trim(),
        (Some(stored), read) => stored == read,
    }
}

/// The change set an import makes to `register`: for a row naming a record of this kind that
/// the register holds, the cells that differ; for any other row, a new record (with the id
/// it names, so a register exported elsewhere is added as it was). A row naming a record of
/// another kind is a problem.
pub fn changes(register: &Replica, kind: Kind, rows: Vec<Row>) -> Result<Vec<Edit>, Vec<String>> {
    let mut set = Vec::new();
    let mut problems = Vec::new();
    for (index, row) in rows.into_iter().enumerate() {
        let stored = row.id.and_then(|id| register.record(id));
        match (row.id, stored) {
            (Some(id), Some(record)) if record.kind != kind => problems.push(format!(
                "Row {}: {id} is a {}, not a {}.",
                index + 2,
                record.kind.spec().label,
                kind.spec().label
            )),
            (Some(id), Some(record)) => {
                let fields: Vec<(&'static str, Value)> = row
                    .fields
                    .into_iter()
                    .filter(|(field, value)| !same(record.get(field), value))
                    .collect();
                if !fields.is_empty() {
                    set.push(Edit {
                        record: id,
                        kind,
                        fields,
                    });
                }
            }
            (id, _) => set.push(Edit {
                record: id.unwrap_or_else(RecordId::new),
                kind,
                fields: row
                    .fields
                    .into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .collect(),
            }),
        }
    }
    if problems.is_empty() {
        Ok(set)
    } else {
        Err(problems)
    }
}

/// A stored value as its cell: lists of links separated by semicolons, lines one per line.
fn cell_of(ty: FieldType, value: &Value) -> String {
    match (ty, value) {
        (_, Value::Null) => String::new(),
        (_, Value::Text(text)) => text.clone(),
        (_, Value::Int(n)) => n.to_string(),
        (_, Value::Num(n)) => n.to_string(),
        (_, Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
        (FieldType::Lines { .. }, Value::List(lines)) => {
            lines.iter().map(|line| format!("{line}\n")).collect()
        }
        (_, Value::List(items)) => items.join("; "),
    }
}

/// Every record of `kind` in `register` (deleted ones left out), oldest first, as CSV: an
/// `id` column, then one per field in the schema's order. `byte_order_mark` starts the file
/// with one, for spreadsheet programs that need it to read UTF-8.
pub fn export(register: &Replica, kind: Kind, byte_order_mark: bool) -> String {
    let fields = kind.spec().fields;
    let header: Vec<&str> = std::iter::once(ID_COLUMN)
        .chain(fields.iter().map(|f| f.name))
        .collect();
    let mut sheet = Sheet::new(&header);
    for (id, record) in register.of_kind(kind) {
        if record.get(DELETED).and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let cells = std::iter::once(id.to_string()).chain(fields.iter().map(|f| {
            record
                .get(f.name)
                .map(|v| cell_of(f.ty, v))
                .unwrap_or_default()
        }));
        sheet.row(cells);
    }
    let text = sheet.finish();
    if byte_order_mark {
        format!("{BYTE_ORDER_MARK}{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, fixture::day, sync::Device};

    fn demo() -> Device {
        let mut device = Device::new(ClientId::new());
        crate::demo::build(&mut device, day("2026-06-30"), 1);
        device
    }

    #[test]
    fn every_register_of_the_demo_round_trips_through_its_csv_unchanged() {
        let device = demo();
        for &kind in Kind::ALL {
            let text = export(&device.local, kind, true);
            assert!(text.starts_with(BYTE_ORDER_MARK));
            let rows = parse_csv(kind, &text).unwrap_or_else(|p| panic!("{kind:?}: {p:?}"));
            let count = device
                .local
                .of_kind(kind)
                .filter(|(_, r)| !r.is_deleted())
                .count();
            assert_eq!(rows.len(), count, "{kind:?}");
            assert_eq!(
                changes(&device.local, kind, rows),
                Ok(Vec::new()),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn one_cell_changed_in_a_spreadsheet_comes_back_as_that_one_change() {
        let device = demo();
        let text = export(&device.local, Kind::Risk, false);
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let column = header.iter().position(|h| *h == "residual_impact").unwrap();
        // The first risk whose row is plain enough to edit by splitting on commas.
        let at = (1..lines.len())
            .find(|&i| !lines[i].contains('"') && lines[i].split(',').nth(column) == Some("2"))
            .unwrap();
        let mut cells: Vec<String> = lines[at].split(',').map(str::to_owned).collect();
        cells[column] = "3".into();
        let id: RecordId = cells[0].parse().unwrap();
        lines[at] = cells.join(",");
        let rows = parse_csv(Kind::Risk, &lines.join("\n")).unwrap();
        let set = changes(&device.local, Kind::Risk, rows).unwrap();
        assert_eq!(
            set,
            [Edit {
                record: id,
                kind: Kind::Risk,
                fields: vec![("residual_impact", Value::Int(3))],
            }]
        );
    }

    #[test]
    fn an_emptied_cell_clears_its_field_and_a_row_of_another_register_is_refused() {
        let device = demo();
        let (id, record) = device
            .local
            .of_kind(Kind::Risk)
            .find(|(_, r)| r.get("description").is_some() || r.get("threat").is_some())
            .unwrap();
        let threat = record.get("threat").and_then(Value::as_text).unwrap();
        let text = format!("id,title,threat\n{id},Renamed,\n");
        let set = changes(
            &device.local,
            Kind::Risk,
            parse_csv(Kind::Risk, &text).unwrap(),
        )
        .unwrap();
        assert_eq!(
            set[0].fields,
            vec![("title", Value::from("Renamed")), ("threat", Value::Null)]
        );
        assert!(!threat.is_empty());
        let control = device.local.of_kind(Kind::Control).next().unwrap().0;
        let text = format!("id,title\n{control},Not a risk\n");
        let problems = changes(
            &device.local,
            Kind::Risk,
            parse_csv(Kind::Risk, &text).unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [format!("Row 2: {control} is a Control, not a Risk.")]
        );
        // A title emptied is refused at once: it is required.
        let text = format!("id,title\n{id},\n");
        assert!(parse_csv(Kind::Risk, &text).unwrap_err()[0].starts_with("Row 2: "));
        assert_eq!(
            parse_csv(Kind::Risk, "id,title\nnot-an-id,A\n").unwrap_err(),
            ["Row 2: “not-an-id” is not a record id."]
        );
    }

    #[test]
    fn quotes_line_breaks_semicolons_and_formulas_survive_the_round_trip() {
        let mut device = Device::new(ClientId::new());
        let template = RecordId::new();
        let fields = [
            ("name", Value::from("Visitors; \"front desk\"")),
            (
                "description",
                Value::from("=cmd|' /C calc'!A0\nsecond line, with a comma"),
            ),
            (
                "checks",
                Value::List(vec![
                    "A.7.2 Signed in; badge worn?".into(),
                    "-A.7.3 Escorted?".into(),
                ]),
            ),
        ];
        for (field, value) in &fields {
            device.edit(template, Kind::WalkthroughTemplate, field, value.clone(), 1);
        }
        let text = export(&device.local, Kind::WalkthroughTemplate, false);
        assert!(!text.contains(",=cmd"), "{text}");
        let rows = parse_csv(Kind::WalkthroughTemplate, &text).unwrap();
        assert_eq!(rows[0].id, Some(template));
        assert_eq!(
            changes(&device.local, Kind::WalkthroughTemplate, rows.clone()),
            Ok(Vec::new())
        );
        let mut empty = Device::new(ClientId::new());
        let set = changes(&empty.local, Kind::WalkthroughTemplate, rows).unwrap();
        for edit in &set {
            for (field, value) in &edit.fields {
                empty.edit(edit.record, edit.kind, field, value.clone(), 1);
            }
        }
        assert_eq!(
            empty.local.record(template).unwrap().get("checks"),
            Some(&fields[2].1)
        );
        assert_eq!(
            empty.local.record(template).unwrap().get("description"),
            Some(&fields[1].1)
        );
    }

    #[test]
    fn ten_thousand_rows_import_and_one_more_is_refused() {
        let mut text = String::from("title,likelihood,impact\n");
        for i in 0..IMPORT_MAX_ROWS {
            text.push_str(&format!("Risk {i},3,3\n"));
        }
        assert_eq!(parse_csv(Kind::Risk, &text).unwrap().len(), IMPORT_MAX_ROWS);
        text.push_str("One too many,3,3\n");
        assert_eq!(
            parse_csv(Kind::Risk, &text).unwrap_err(),
            ["At most 10000 rows can be imported at once."]
        );
    }

    #[test]
    fn a_cell_marked_as_text_on_export_reads_back_as_it_was() {
        let rows = parse_csv(
            Kind::Risk,
            "title,likelihood,impact\n'=HYPERLINK(\"x\"),4,3\n",
        )
        .unwrap();
        assert_eq!(
            rows[0].fields[0],
            ("title", Value::from("=HYPERLINK(\"x\")"))
        );
    }

    #[test]
    fn rows_become_typed_fields_with_aliases() {
        let rows = parse_csv(Kind::Risk, "Title,Likelihood,Impact,Treatment\nPhishing,4,3,mitigate\n\"Lost, stolen laptop\",2,5,\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].fields,
            vec![
                ("title", Value::from("Phishing")),
                ("inherent_likelihood", Value::Int(4)),
                ("inherent_impact", Value::Int(3)),
                ("treatment", Value::from("mitigate")),
            ]
        );
        assert_eq!(rows[1].fields[0].1, Value::from("Lost, stolen laptop"));
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
