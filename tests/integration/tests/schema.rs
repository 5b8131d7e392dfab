//! The worker's storage migrations on SQLite itself (the engine of a Durable Object's
//! storage): an organisation written by the first schema, before versioning, is upgraded
//! and loses nothing; upgrading again changes nothing. The statements are the worker's own.

#[path = "../../../worker/src/organisation/schema.rs"]
mod schema;

use rusqlite::{Connection, params, types::ValueRef};

/// Applies what `schema::pending` lists, each migration in one transaction, as the worker's
/// `sql::migrate` does.
fn migrate(db: &mut Connection) {
    db.execute(schema::META, []).unwrap();
    let version: usize = db
        .query_row(
            "SELECT value FROM meta WHERE key = ?",
            [schema::VERSION_KEY],
            |row| row.get::<_, String>(0),
        )
        .map(|v| v.parse().unwrap())
        .unwrap_or(0);
    for (reached, statements) in schema::pending(version).unwrap() {
        let tx = db.transaction().unwrap();
        for statement in statements {
            tx.execute(statement, []).unwrap();
        }
        tx.execute(
            schema::SET_META,
            params![schema::VERSION_KEY, reached.to_string()],
        )
        .unwrap();
        tx.commit().unwrap();
    }
}

/// Every row of a table as text, in a stable order.
fn rows(db: &Connection, table: &str, columns: &str) -> Vec<String> {
    let mut statement = db
        .prepare(&format!("SELECT {columns} FROM {table} ORDER BY 1"))
        .unwrap();
    let count = statement.column_count();
    statement
        .query_map([], |row| {
            Ok((0..count)
                .map(|i| match row.get_ref(i).unwrap() {
                    ValueRef::Null => "null".to_owned(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

const V1_COLUMNS: &[(&str, &str)] = &[
    ("meta", "key, value"),
    ("members", "member, name, role, revoked, created_ms"),
    (
        "devices",
        "client, member, token_hash, created_ms, revoked, acked_mid",
    ),
    (
        "invites",
        "invite, secret_hash, role, expires_ms, created_by, used_by",
    ),
    (
        "log",
        "seq, hash, client, mid, record, kind, field, value, hlc_wall, hlc_counter",
    ),
    ("records", "record, kind"),
    (
        "fields",
        "record, field, value, hlc_wall, hlc_counter, client",
    ),
];

#[test]
fn an_organisation_written_before_versioning_upgrades_and_loses_nothing() {
    let mut db = Connection::open_in_memory().unwrap();
    // The first schema exactly, and rows as the worker wrote them before versioning.
    for statement in schema::MIGRATIONS[0] {
        db.execute(statement, []).unwrap();
    }
    db.execute_batch(
        "INSERT INTO meta VALUES ('org', 'org-1'), ('org_name', 'Acme Ltd');
         INSERT INTO members VALUES ('m-owner', 'Olive', 'owner', 0, 1000), ('m-ed', 'Ed', 'editor', 1, 2000);
         INSERT INTO devices VALUES ('c-1', 'm-owner', 'hash-1', 1000, 0, 3), ('c-2', 'm-ed', 'hash-2', 2000, 1, 0);
         INSERT INTO invites VALUES ('i-1', 'secret-1', 'viewer', 9000, 'm-owner', NULL), ('i-2', 'secret-2', 'editor', 9000, 'm-owner', 'm-ed');
         INSERT INTO log VALUES (1, 'h1', 'c-1', 1, 'r-1', 'risk', 'title', '\"Phishing\"', 1500, 0),
                                (2, 'h2', 'c-1', 2, 'r-1', 'risk', 'inherent_impact', '4', 1500, 1),
                                (3, 'h3', 'c-1', 3, 'r-1', 'risk', 'title', '\"Phishing ✉\"', 1600, 0);
         INSERT INTO records VALUES ('r-1', 'risk');
         INSERT INTO fields VALUES ('r-1', 'title', '\"Phishing ✉\"', 1600, 0, 'c-1'), ('r-1', 'inherent_impact', '4', 1500, 1, 'c-1');",
    )
    .unwrap();
    let before: Vec<Vec<String>> = V1_COLUMNS
        .iter()
        .map(|(table, columns)| rows(&db, table, columns))
        .collect();

    migrate(&mut db);
    let after: Vec<Vec<String>> = V1_COLUMNS
        .iter()
        .map(|(table, columns)| rows(&db, table, columns))
        .collect();
    let mut expected = before.clone();
    expected[0].push(format!("schema_version|{}", schema::MIGRATIONS.len()));
    expected[0].sort();
    let mut after_sorted = after.clone();
    after_sorted[0].sort();
    assert_eq!(
        after_sorted, expected,
        "every row as it was, and the version"
    );
    // The new columns exist, empty for what came before them.
    assert_eq!(rows(&db, "log", "received_ms"), ["null", "null", "null"]);
    assert_eq!(
        rows(&db, "invites", "created_ms, withdrawn_by"),
        ["null|null", "null|null"]
    );

    // The worker runs it on every start: a second run applies nothing again.
    migrate(&mut db);
    let again: Vec<Vec<String>> = V1_COLUMNS
        .iter()
        .map(|(table, columns)| rows(&db, table, columns))
        .collect();
    assert_eq!(again, after);
}

#[test]
fn a_new_organisation_gets_every_migration_and_a_newer_one_is_refused() {
    let mut db = Connection::open_in_memory().unwrap();
    migrate(&mut db);
    db.execute(
        "INSERT INTO log VALUES (1, 'h', 'c', 1, 'r', 'risk', 'title', '\"x\"', 1, 0, 1700)",
        [],
    )
    .unwrap();
    assert!(
        schema::pending(schema::MIGRATIONS.len())
            .unwrap()
            .is_empty()
    );
    let newer = schema::pending(schema::MIGRATIONS.len() + 1).unwrap_err();
    assert!(newer.contains("newer than this worker's"), "{newer}");
}

#[test]
fn every_link_the_rules_follow_is_found_by_an_index() {
    let mut db = Connection::open_in_memory().unwrap();
    migrate(&mut db);
    for link in register::rules::RULE_LINKS {
        let plan: Vec<String> = db
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                schema::linking_query(link.field)
            ))
            .unwrap()
            .query_map(params![link.kind.name(), "\"x\""], |row| {
                row.get::<_, String>(3)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX") && step.starts_with("SEARCH f")),
            "{}: {plan:?}",
            link.field
        );
    }
}

#[test]
fn open_invites_of_a_member_with_a_revoked_device_are_withdrawn_on_upgrade() {
    // An organisation at version 5, before invites named their device.
    let mut db = Connection::open_in_memory().unwrap();
    db.execute(schema::META, []).unwrap();
    for (reached, statements) in schema::pending(0).unwrap().into_iter().take(5) {
        for statement in statements {
            db.execute(statement, []).unwrap();
        }
        db.execute(
            schema::SET_META,
            params![schema::VERSION_KEY, reached.to_string()],
        )
        .unwrap();
    }
    db.execute_batch(
        "INSERT INTO members VALUES ('m-lost', 'Lou', 'admin', 0, 1000), ('m-kept', 'Kim', 'admin', 0, 1000);
         INSERT INTO devices (client, member, token_hash, created_ms, revoked)
             VALUES ('c-stolen', 'm-lost', 'h', 1000, 1), ('c-new', 'm-lost', 'h', 2000, 0),
                    ('c-kim', 'm-kept', 'h', 1000, 0);
         INSERT INTO invites (invite, secret_hash, role, expires_ms, created_by, used_by)
             VALUES ('i-lost', 's', 'admin', 9000, 'm-lost', NULL),
                    ('i-used', 's', 'editor', 9000, 'm-lost', 'm-kept'),
                    ('i-kept', 's', 'editor', 9000, 'm-kept', NULL);",
    )
    .unwrap();
    migrate(&mut db);
    assert_eq!(
        rows(&db, "invites", "invite, withdrawn_by, created_by_device"),
        ["i-kept|null|null", "i-lost|m-lost|null", "i-used|null|null"]
    );
}
