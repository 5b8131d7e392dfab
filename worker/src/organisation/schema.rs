//! The organisation's SQLite schema, as ordered migrations. An object records the version it
//! has reached in `meta`; `sql::migrate` applies the rest, each once and in one transaction.
//! Objects made before versioning hold exactly the first migration, which is why its
//! statements say `IF NOT EXISTS`. A migration that has shipped is never edited: add one.
//! Plain statements only, so a native test can run them on SQLite as they are.

/// The table the version is kept in, made before the version can be read.
pub const META: &str =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

pub const VERSION_KEY: &str = "schema_version";

/// Sets a value in `meta` (key bound first): the version a migration reaches (under
/// `VERSION_KEY`, in the same transaction as its statements), and the object's other values.
pub const SET_META: &str = "INSERT INTO meta (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/// The migrations an object at `version` still needs, each with the version it reaches; an
/// error if the object is newer than this code (a rollback would corrupt it).
pub fn pending(version: usize) -> Result<Vec<(usize, &'static [&'static str])>, String> {
    if version > MIGRATIONS.len() {
        return Err(format!(
            "this organisation's storage is at schema version {version}, newer than this worker's {}",
            MIGRATIONS.len()
        ));
    }
    Ok(MIGRATIONS
        .iter()
        .enumerate()
        .skip(version)
        .map(|(done, statements)| (done + 1, *statements))
        .collect())
}

pub const MIGRATIONS: &[&[&str]] = &[
    // 1: the schema before versioning.
    &[
        META,
        "CREATE TABLE IF NOT EXISTS members (
            member TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS devices (
            client TEXT PRIMARY KEY, member TEXT NOT NULL REFERENCES members(member),
            token_hash TEXT NOT NULL, created_ms INTEGER NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0, acked_mid INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE IF NOT EXISTS invites (
            invite TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, role TEXT NOT NULL,
            expires_ms INTEGER NOT NULL, created_by TEXT NOT NULL, used_by TEXT)",
        "CREATE TABLE IF NOT EXISTS log (
            seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, client TEXT NOT NULL, mid INTEGER NOT NULL,
            record TEXT NOT NULL, kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
            hlc_wall INTEGER NOT NULL, hlc_counter INTEGER NOT NULL, UNIQUE (client, mid))",
        "CREATE TABLE IF NOT EXISTS records (record TEXT PRIMARY KEY, kind TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS fields (
            record TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
            hlc_wall INTEGER NOT NULL, hlc_counter INTEGER NOT NULL, client TEXT NOT NULL,
            PRIMARY KEY (record, field))",
        // A record's history reads its log entries without scanning the whole log.
        "CREATE INDEX IF NOT EXISTS log_by_record ON log (record, seq)",
    ],
    // 2: the server's own time of receipt beside each change's client clock (empty for
    // changes received before); invites say when they were made, and can be withdrawn.
    &[
        "ALTER TABLE log ADD COLUMN received_ms INTEGER",
        "ALTER TABLE invites ADD COLUMN created_ms INTEGER",
        "ALTER TABLE invites ADD COLUMN withdrawn_by TEXT",
    ],
    // 3: what each device has pushed in its current minute (`engine::limits`).
    &[
        "ALTER TABLE devices ADD COLUMN window_start_ms INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE devices ADD COLUMN window_records INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE devices ADD COLUMN window_bytes INTEGER NOT NULL DEFAULT 0",
    ],
    // 4: the evidence files this organisation holds in the bucket (`files.rs`), by digest.
    &["CREATE TABLE files (
            sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, media_type TEXT NOT NULL,
            uploaded_by TEXT NOT NULL, uploaded_ms INTEGER NOT NULL)"],
    // 5: the records naming another by a link the rules follow (`register::rules::RULE_LINKS`:
    // a finding's actions, a review's outputs), found by an index rather than a scan.
    &[
        "CREATE INDEX fields_naming_finding ON fields (value) WHERE field = 'finding'",
        "CREATE INDEX fields_naming_review ON fields (value) WHERE field = 'review'",
    ],
    // 6: the device that made each invite, so revoking a device withdraws its invites
    // (empty for invites made before: those die with any device of their maker). An open
    // invite made before, by a member one of whose devices is already revoked, may be a lost
    // phone's: it is withdrawn now (as by its maker), and the maker can invite again.
    &[
        "ALTER TABLE invites ADD COLUMN created_by_device TEXT",
        "UPDATE invites SET withdrawn_by = created_by
         WHERE used_by IS NULL AND withdrawn_by IS NULL
           AND created_by IN (SELECT member FROM devices WHERE revoked = 1)",
    ],
    // 7: each member's calendar feed addresses (`calendar.rs`), known only by the SHA-256 of
    // their secret; `whole` is the organisation-wide feed of owners and admins.
    &["CREATE TABLE calendar_feeds (
            secret_hash TEXT PRIMARY KEY, member TEXT NOT NULL REFERENCES members(member),
            whole INTEGER NOT NULL, created_ms INTEGER NOT NULL, revoked_ms INTEGER)"],
    // 8: reminders (`reminders.rs`): each device's push subscription, schedule (JSON
    // `reminders::Schedule`), what its last reminder held (JSON `reminders::Memory`) and the
    // last day worked out; and the reminders sent, the latest few per member.
    &[
        "CREATE TABLE push_subscriptions (
            client TEXT PRIMARY KEY REFERENCES devices(client),
            member TEXT NOT NULL REFERENCES members(member),
            endpoint TEXT NOT NULL, p256dh TEXT NOT NULL, auth TEXT NOT NULL,
            schedule TEXT NOT NULL, memory TEXT NOT NULL, last_day TEXT,
            created_ms INTEGER NOT NULL)",
        "CREATE TABLE reminders_sent (
            id INTEGER PRIMARY KEY AUTOINCREMENT, member TEXT NOT NULL, client TEXT NOT NULL,
            sent_ms INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL)",
        "CREATE INDEX reminders_sent_by_member ON reminders_sent (member, id)",
    ],
];

/// The records of a kind (bound first) whose link `field` names a record (its JSON text,
/// bound second). The field is written into the statement so that SQLite can use the
/// partial index on it.
pub fn linking_query(field: &str) -> String {
    format!(
        "SELECT f.record FROM fields f JOIN records r ON r.record = f.record
         WHERE f.field = '{field}' AND f.value = ?2 AND r.kind = ?1"
    )
}
