//! The export file (`.ratchet`): one zip that is the organisation's backup, what a restore
//! reads and what an auditor is given instead of a login. It holds the hash-chained log, every
//! record with its field clocks (exactly what the log produces), the members' names and roles
//! (never a credential), the evidence files named by their SHA-256, every register as CSV and
//! an index a person can read, and a manifest listing each part's digest.
//!
//! `write` makes the file and `verify` checks one end to end, saying in words what it checked
//! and naming anything wrong: a byte changed anywhere changes a part's checksum, its digest,
//! a log entry's hash or the zip container Ratchet writes, and each of those is named. The
//! format is versioned (`VERSION`); `tests/fixtures` keeps a file this version wrote, which
//! every later version must still read.

use crate::{
    Kind, Role, import, sheet,
    sync::{Device, LogEntry, Op, RecordRow, RecordState, Replica, Stored},
};
use engine::{
    ClientId, FieldState, RecordId,
    chain::{self, GENESIS},
    device::DeviceMeta,
    files,
};
use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, BTreeSet},
    io::{Cursor, Read, Write},
};

/// What the manifest calls this kind of file.
pub const FORMAT: &str = "ratchet-export";
/// The format this version writes, and the latest it reads.
pub const VERSION: u32 = 1;
/// The file name's extension.
pub const EXTENSION: &str = "ratchet";

const MANIFEST: &str = "manifest.json";
const LOG: &str = "log.jsonl";
const RECORDS: &str = "records.jsonl";
const MEMBERS: &str = "members.json";
const INDEX: &str = "index.html";
const REGISTERS: &str = "registers/";
const FILES: &str = "files/";

/// Most rows of one register the index shows as a table (past that, it links the CSV).
const INDEX_TABLE_MAX_ROWS: usize = 1_000;

/// Most problems one check lists; past that, it says how many more there were.
const PROBLEMS_LISTED: usize = 20;

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}

/// A member as the export names them: their id (which records refer to), name, role and
/// devices (which the log's entries name), so each change can be put to a person.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub removed: bool,
    pub devices: Vec<ClientId>,
}

/// An evidence file the export holds, as `files/{sha256}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
}

/// One part of the file and its digest.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSummary {
    pub entries: u64,
    /// The last entry's hash: for an organisation's export, the same as its server's log
    /// holds at that entry.
    pub head: String,
    /// How many of the last entries were chained by the exporting device, being its own
    /// changes that no server has taken (on a register kept on one device, all it made).
    pub chained_on_export: u64,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// None for a register kept on one device.
    pub organisation: Option<Organisation>,
    pub exported_at: String,
    pub exported_by: Option<String>,
    pub log: LogSummary,
    pub records: u64,
    pub members: u64,
    pub files: Vec<FileEntry>,
    /// Files the records name that the exporting device could not include.
    pub files_not_held: Vec<String>,
    /// Every part but the manifest and the evidence files (named by their own digests).
    pub parts: Vec<Part>,
}

/// What to export.
pub struct Export<'a> {
    pub organisation: Option<Organisation>,
    pub exported_by: Option<String>,
    pub exported_at_ms: u64,
    /// The whole log, from its first entry.
    pub log: &'a [LogEntry],
    pub chained_on_export: u64,
    pub members: &'a [Member],
    /// Evidence files with their bytes; a file a record names but not given here is listed
    /// as not held.
    pub files: Vec<(FileEntry, Vec<u8>)>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("evidence file {0} does not match its SHA-256")]
    FileDigest(String),
    #[error("the file could not be written: {0}")]
    Zip(String),
}

/// Chains a device's own changes after the log it holds (`after` is its last entry and hash):
/// the entries an export adds for changes no server has taken.
pub fn chain_after(after: (u64, &str), ops: impl IntoIterator<Item = Op>) -> Vec<LogEntry> {
    let (mut seq, mut hash) = (after.0, after.1.to_owned());
    ops.into_iter()
        .map(|op| {
            seq += 1;
            hash = chain::link(&hash, &op).expect("a hash the device verified");
            LogEntry {
                seq,
                hash: hash.clone(),
                op,
            }
        })
        .collect()
}

/// The whole log of a register kept on one device: the history it was restored with, if any,
/// then its own changes chained after it (`chain_after`), with how many those are.
pub fn device_log(history: Vec<LogEntry>, device: &Device) -> (Vec<LogEntry>, u64) {
    let head = history
        .last()
        .map_or((0, GENESIS.to_owned()), |e| (e.seq, e.hash.clone()));
    let own = chain_after((head.0, &head.1), device.ops_beyond_log().cloned());
    let chained = own.len() as u64;
    let mut log = history;
    log.extend(own);
    (log, chained)
}

/// A device holding the register an export restores: its records as the log produces them,
/// confirmed, since the log is their history; its log position at the last entry; its clock
/// past every stamp in the log, so what it changes next comes after; and a new client id.
pub fn restored_device(opened: &Opened, client: ClientId) -> Device {
    let clock = opened
        .log
        .iter()
        .map(|e| e.op.hlc)
        .max()
        .unwrap_or_default();
    Device::restore(Stored {
        meta: DeviceMeta {
            client,
            clock,
            clock_offset_ms: 0,
            next_mid: 1,
            acked_mid: 0,
            cursor: opened.log.len() as u64,
            head_hash: opened
                .log
                .last()
                .map_or_else(|| GENESIS.to_owned(), |e| e.hash.clone()),
        },
        records: opened
            .register
            .records()
            .map(|(id, record)| RecordRow {
                id,
                local: Some(record.clone()),
                confirmed: Some(record.clone()),
            })
            .collect(),
        queue: Vec::new(),
        refused: Vec::new(),
    })
}

/// Most entries one page of an import carries (a page also fits one request body).
pub const IMPORT_MAX_ENTRIES: usize = 1_000;

/// Why a page of an import is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportRefusal {
    #[error("Only an owner imports an organisation's history.")]
    NotOwner,
    #[error(
        "This organisation's log already holds changes made in it: an export's history is imported only into a new organisation, before anything else."
    )]
    NotNew,
    #[error("A page of an import holds at most {IMPORT_MAX_ENTRIES} entries.")]
    TooMany,
    #[error("The imported history does not continue the organisation's log: {0}")]
    Chain(chain::ChainError),
}

impl ImportRefusal {
    pub fn status(&self) -> u16 {
        match self {
            Self::NotOwner => 403,
            Self::NotNew => 409,
            Self::TooMany | Self::Chain(_) => 422,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotOwner => "owner_only",
            Self::NotNew => "history_not_new",
            Self::TooMany => "too_many_entries",
            Self::Chain(_) => "chain_broken",
        }
    }
}

/// Judges one page of an import into an organisation whose log is at entry `at` with hash
/// `head`, of which entries up to `imported_up_to` were imported: the owner alone appends an
/// export's log, exactly as it was (the same entries with the same hashes, so the chain and
/// the file's head stay checkable), and only while the log holds nothing else. Returns the
/// new head. The ops are not judged again by today's rules: they were when they were made,
/// and the history is kept as it happened.
pub fn judge_import(
    role: Role,
    at: u64,
    head: &str,
    imported_up_to: u64,
    entries: &[LogEntry],
) -> Result<String, ImportRefusal> {
    if role != Role::Owner {
        return Err(ImportRefusal::NotOwner);
    }
    if at != imported_up_to {
        return Err(ImportRefusal::NotNew);
    }
    if entries.len() > IMPORT_MAX_ENTRIES {
        return Err(ImportRefusal::TooMany);
    }
    chain::verify(at, head, entries).map_err(ImportRefusal::Chain)
}

/// The log in pages an import sends, each within `IMPORT_MAX_ENTRIES` and `max_bytes` of
/// JSON (always at least one entry).
pub fn import_pages(log: &[LogEntry], max_bytes: usize) -> Vec<&[LogEntry]> {
    let mut pages = Vec::new();
    let mut start = 0;
    while start < log.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < log.len() && end - start < IMPORT_MAX_ENTRIES {
            let size = serde_json::to_vec(&log[end]).map_or(0, |b| b.len()) + 1;
            if end > start && bytes + size > max_bytes {
                break;
            }
            bytes += size;
            end += 1;
        }
        pages.push(&log[start..end]);
        start = end;
    }
    pages
}

/// The register `log` produces.
pub fn replay(log: &[LogEntry]) -> Replica {
    let mut register = Replica::default();
    for entry in log {
        register.apply(&entry.op);
    }
    register
}

/// The export file's bytes. The log must be a whole chain already checked: a device's own
/// changes as `chain_after` chains them, or an organisation's log checked page by page as it
/// was pulled (`chain::verify`). Hashing it again here would double the export's time; a file
/// written from a broken chain is refused by `verify`, as anyone opening it would find.
pub fn write(export: Export) -> Result<Vec<u8>, ExportError> {
    let head = export
        .log
        .last()
        .map_or_else(|| GENESIS.to_owned(), |e| e.hash.clone());
    for (entry, bytes) in &export.files {
        if files::digest(bytes) != entry.sha256 {
            return Err(ExportError::FileDigest(entry.sha256.clone()));
        }
    }
    let register = replay(export.log);
    let mut files = export.files;
    files.sort_by(|a, b| a.0.sha256.cmp(&b.0.sha256));
    files.dedup_by(|a, b| a.0.sha256 == b.0.sha256);
    let held: BTreeSet<&str> = files.iter().map(|(f, _)| f.sha256.as_str()).collect();
    let files_not_held = named_files(&register)
        .into_keys()
        .filter(|sha| !held.contains(sha.as_str()))
        .collect();
    let mut manifest = Manifest {
        format: FORMAT.to_owned(),
        version: VERSION,
        organisation: export.organisation,
        exported_at: crate::dates::instant_of_ms(export.exported_at_ms)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default(),
        exported_by: export.exported_by,
        log: LogSummary {
            entries: export.log.len() as u64,
            head,
            chained_on_export: export.chained_on_export,
        },
        records: register.len() as u64,
        members: export.members.len() as u64,
        files: files.iter().map(|(f, _)| f.clone()).collect(),
        files_not_held,
        parts: Vec::new(),
    };
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        (LOG.to_owned(), log_bytes(export.log)),
        (RECORDS.to_owned(), records_bytes(&register)),
        (
            MEMBERS.to_owned(),
            serde_json::to_vec_pretty(export.members).expect("members serialise"),
        ),
    ];
    let sheets = register_sheets(&register);
    let index = index_html(&manifest, &register, &sheets);
    parts.extend(sheets);
    parts.push((INDEX.to_owned(), index.into_bytes()));
    manifest.parts = parts
        .iter()
        .map(|(name, bytes)| Part {
            name: name.clone(),
            sha256: files::digest(bytes),
            bytes: bytes.len() as u64,
        })
        .collect();
    let mut entries = vec![(MANIFEST.to_owned(), manifest_bytes(&manifest))];
    entries.extend(parts);
    entries.extend(
        files
            .into_iter()
            .map(|(f, bytes)| (format!("{FILES}{}", f.sha256), bytes)),
    );
    zip_of(&entries).map_err(|e| ExportError::Zip(e.to_string()))
}

fn manifest_bytes(manifest: &Manifest) -> Vec<u8> {
    serde_json::to_vec_pretty(manifest).expect("a manifest serialises")
}

/// Log entries as the file's `log.jsonl` holds them: one compact JSON entry per line.
pub fn log_bytes(log: &[LogEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in log {
        serde_json::to_writer(&mut out, entry).expect("an entry serialises");
        out.push(b'\n');
    }
    out
}

/// One line of `records.jsonl`.
#[derive(Serialize)]
struct RecordLine<'a> {
    id: RecordId,
    kind: Kind,
    fields: &'a BTreeMap<String, FieldState>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadRecord {
    id: RecordId,
    kind: Kind,
    fields: BTreeMap<String, FieldState>,
}

fn records_bytes(register: &Replica) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, record) in register.records() {
        let line = RecordLine {
            id,
            kind: record.kind,
            fields: &record.fields,
        };
        serde_json::to_writer(&mut out, &line).expect("a record serialises");
        out.push(b'\n');
    }
    out
}

/// The evidence files the register's records name, each with the title of one record naming it.
fn named_files(register: &Replica) -> BTreeMap<String, String> {
    use crate::views::Evidence;
    register
        .of_kind(Kind::Evidence)
        .filter(|(_, r)| !r.is_deleted())
        .filter_map(|(id, r)| {
            let evidence = <Evidence as engine::View<Kind>>::from_record(id, r);
            Some((evidence.sha256?, evidence.title.unwrap_or_default()))
        })
        .collect()
}

/// Every register that has records, as the CSV its list exports.
fn register_sheets(register: &Replica) -> Vec<(String, Vec<u8>)> {
    Kind::ALL
        .iter()
        .filter(|&&kind| register.of_kind(kind).any(|(_, r)| !r.is_deleted()))
        .map(|&kind| {
            (
                format!("{REGISTERS}{}.csv", kind.name()),
                import::export(register, kind, true).into_bytes(),
            )
        })
        .collect()
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page a person opens first: what the file is, how to check it, and every register as
/// a table (its CSV beside it).
fn index_html(manifest: &Manifest, register: &Replica, sheets: &[(String, Vec<u8>)]) -> String {
    let whose = manifest.organisation.as_ref().map_or_else(
        || "a register kept on one device".to_owned(),
        |o| format!("the organisation “{}”", o.name),
    );
    let mut html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ratchet export of {}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25rem;vertical-align:top;text-align:left;white-space:pre-wrap}}</style></head><body>\n\
         <h1>Ratchet export of {}</h1>\n<p>Exported {}{}. Format {} version {}. The log has {} entries; its last, entry {}, has hash <code>{}</code>. {} records, {} members, {} evidence files.</p>\n\
         <p>To check this file end to end, open it in Ratchet (Organisation, then “Check an export file”) or run <code>cargo xtask verify FILE</code> in Ratchet's source.</p>\n<h2>Registers</h2>\n<ul>\n",
        escape_html(&whose),
        escape_html(&whose),
        escape_html(&manifest.exported_at),
        manifest
            .exported_by
            .as_deref()
            .map(|b| format!(" by {}", escape_html(b)))
            .unwrap_or_default(),
        FORMAT,
        manifest.version,
        manifest.log.entries,
        manifest.log.entries,
        manifest.log.head,
        manifest.records,
        manifest.members,
        manifest.files.len(),
    );
    for (name, _) in sheets {
        let kind = kind_of_sheet(name);
        let count = register
            .of_kind(kind)
            .filter(|(_, r)| !r.is_deleted())
            .count();
        html += &format!(
            "<li><a href=\"#{0}\">{1}</a>: {count} (<a href=\"{name}\">CSV</a>)</li>\n",
            kind.name(),
            escape_html(kind.spec().label)
        );
    }
    html += "</ul>\n";
    if !manifest.files.is_empty() {
        html += "<h2>Evidence files</h2>\n<ul>\n";
        for file in &manifest.files {
            html += &format!(
                "<li><a href=\"{FILES}{0}\">{0}</a> ({1}, {2})</li>\n",
                file.sha256,
                escape_html(&file.media_type),
                files::size_words(file.size)
            );
        }
        html += "</ul>\n";
    }
    for (name, bytes) in sheets {
        let kind = kind_of_sheet(name);
        html += &format!(
            "<h2 id=\"{}\">{}</h2>\n",
            kind.name(),
            escape_html(kind.spec().label)
        );
        let count = register
            .of_kind(kind)
            .filter(|(_, r)| !r.is_deleted())
            .count();
        // A page of tens of thousands of rows helps no reader: the CSV holds them.
        if count > INDEX_TABLE_MAX_ROWS {
            html += &format!(
                "<p>{count} records: too many to show here; open <a href=\"{name}\">the CSV</a>.</p>\n"
            );
            continue;
        }
        html += "<table>\n";
        let text = String::from_utf8_lossy(bytes);
        for (i, row) in sheet::rows(&text).into_iter().enumerate() {
            let cell = if i == 0 { "th" } else { "td" };
            html += "<tr>";
            for value in row {
                html += &format!("<{cell}>{}</{cell}>", escape_html(&value));
            }
            html += "</tr>\n";
        }
        html += "</table>\n";
    }
    html += "</body></html>\n";
    html
}

fn kind_of_sheet(name: &str) -> Kind {
    name.strip_prefix(REGISTERS)
        .and_then(|n| n.strip_suffix(".csv"))
        .and_then(Kind::from_name)
        .expect("a sheet named by its kind")
}

/// A zip of `entries`, stored (the evidence is mostly already compressed, and a stored zip
/// is read back without inflating), each entry dated 1980-01-01 so the same contents always
/// give the same bytes: `verify` relies on it.
fn zip_of(entries: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .large_file(false);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// An export as read, once it has verified.
#[derive(Clone, Debug)]
pub struct Opened {
    pub manifest: Manifest,
    pub log: Vec<LogEntry>,
    /// What the log produces, which the file's records are.
    pub register: Replica,
    pub members: Vec<Member>,
    /// Evidence files by SHA-256.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// What a check found: what it checked, in words, and every problem, each naming the part
/// and, where it can, the entry, record or file that is wrong.
#[derive(Clone, Debug, Default)]
pub struct Verification {
    pub checked: Vec<String>,
    pub problems: Vec<String>,
    pub opened: Option<Opened>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty() && self.opened.is_some()
    }

    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    fn refused(mut self, text: String) -> Verification {
        self.problems.push(text);
        self.opened = None;
        self
    }

    /// The whole report, as a person reads it.
    pub fn words(&self) -> Vec<String> {
        let mut lines = self.checked.clone();
        let shown = self.problems.len().min(PROBLEMS_LISTED);
        lines.extend(self.problems[..shown].iter().cloned());
        if self.problems.len() > shown {
            lines.push(format!(
                "…and {} more problems.",
                self.problems.len() - shown
            ));
        }
        lines
    }
}

/// The file's entries as stored: name, bytes and the checksum stored beside them.
struct Entry {
    name: String,
    bytes: Vec<u8>,
    crc32: u32,
}

fn read_entries(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        // Raw: the checksum is compared here, so a damaged part is still read and its
        // damage named by what it holds.
        let mut file = archive.by_index_raw(i).map_err(|e| e.to_string())?;
        let name = file.name().map_err(|e| e.to_string())?.into_owned();
        if file.compression() != zip::CompressionMethod::Stored {
            return Err(format!(
                "“{name}” is compressed, which Ratchet never writes"
            ));
        }
        let mut data = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut data).map_err(|e| e.to_string())?;
        entries.push(Entry {
            name,
            crc32: file.crc32(),
            bytes: data,
        });
    }
    Ok(entries)
}

/// "1 evidence file", "3 evidence files".
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn short(hash: &str) -> String {
    hash.chars().take(16).collect()
}

/// Checks an export file end to end.
pub fn verify(bytes: &[u8]) -> Verification {
    let mut report = Verification::default();
    let entries = match read_entries(bytes) {
        Ok(entries) => entries,
        Err(problem) => {
            return report.refused(format!(
                "This is not a readable Ratchet export: the zip cannot be read ({problem})."
            ));
        }
    };
    let mut damaged = false;
    for entry in &entries {
        if crc32fast::hash(&entry.bytes) != entry.crc32 {
            damaged = true;
            report.problem(format!(
                "“{}” was altered: its bytes do not match the checksum stored with them.",
                entry.name
            ));
        }
    }
    if !damaged {
        let contents: Vec<(String, Vec<u8>)> = entries
            .iter()
            .map(|e| (e.name.clone(), e.bytes.clone()))
            .collect();
        match zip_of(&contents) {
            Ok(rewritten) if rewritten == bytes => {}
            Ok(rewritten) => {
                let at = rewritten
                    .iter()
                    .zip(bytes)
                    .position(|(a, b)| a != b)
                    .unwrap_or(rewritten.len().min(bytes.len()));
                report.problem(format!(
                    "The zip container was altered: byte {at} of the file is not as Ratchet writes these contents."
                ));
            }
            Err(e) => report.problem(format!("The zip container cannot be written again: {e}.")),
        }
    }
    let by_name: BTreeMap<&str, &[u8]> = entries
        .iter()
        .map(|e| (e.name.as_str(), e.bytes.as_slice()))
        .collect();
    let Some(manifest_bytes) = by_name.get(MANIFEST) else {
        return report.refused(format!(
            "This is not a Ratchet export: it has no {MANIFEST}."
        ));
    };
    let manifest: Manifest = match serde_json::from_slice(manifest_bytes) {
        Ok(manifest) => manifest,
        Err(e) => {
            // A later format may add to the manifest: say so rather than call it damaged.
            if let Ok(value) = serde_json::from_slice::<serde_json::Value>(manifest_bytes)
                && let Some(version) = value.get("version").and_then(|v| v.as_u64())
                && version > u64::from(VERSION)
            {
                return report.refused(format!(
                    "This file was written by a later version of Ratchet (format version {version}); this version reads format versions up to {VERSION}."
                ));
            }
            return report.refused(format!("{MANIFEST} cannot be read: {e}."));
        }
    };
    if manifest.format != FORMAT {
        return report.refused(format!(
            "This is not a Ratchet export: its manifest says it is “{}”.",
            manifest.format
        ));
    }
    if manifest.version > VERSION || manifest.version == 0 {
        return report.refused(format!(
            "This file says it is format version {}; this version of Ratchet reads format versions 1 to {VERSION}.",
            manifest.version
        ));
    }
    report.checked.push(format!(
        "A Ratchet export, format version {}, of {}, exported {}{}.",
        manifest.version,
        manifest.organisation.as_ref().map_or_else(
            || "a register kept on one device".to_owned(),
            |o| format!("the organisation “{}”", o.name)
        ),
        manifest.exported_at,
        manifest
            .exported_by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default()
    ));

    // Every part is listed, and matches its digest.
    let listed: BTreeSet<String> = manifest
        .parts
        .iter()
        .map(|p| p.name.clone())
        .chain(
            manifest
                .files
                .iter()
                .map(|f| format!("{FILES}{}", f.sha256)),
        )
        .chain([MANIFEST.to_owned()])
        .collect();
    for entry in &entries {
        if !listed.contains(&entry.name) {
            report.problem(format!(
                "The file holds “{}”, which its manifest does not list.",
                entry.name
            ));
        }
    }
    let mut parts_intact = true;
    for part in &manifest.parts {
        match by_name.get(part.name.as_str()) {
            None => {
                parts_intact = false;
                report.problem(format!("“{}” is missing from the file.", part.name));
            }
            Some(bytes)
                if files::digest(bytes) != part.sha256 || bytes.len() as u64 != part.bytes =>
            {
                parts_intact = false;
                report.problem(format!(
                    "“{}” was altered: its SHA-256 is not the one the manifest records.",
                    part.name
                ));
            }
            Some(_) => {}
        }
    }
    if parts_intact {
        report.checked.push(format!(
            "Each of its {} parts matches the SHA-256 its manifest records.",
            manifest.parts.len()
        ));
    }

    // The log.
    let log = match parse_log(by_name.get(LOG).copied().unwrap_or_default()) {
        Ok(log) => log,
        Err(problem) => return report.refused(problem),
    };
    let mut log_intact = true;
    match chain::verify(0, GENESIS, &log) {
        Err(e) => {
            log_intact = false;
            report.problem(format!("The log fails its hash chain: {e}."));
        }
        Ok(head) => {
            if log.len() as u64 != manifest.log.entries || head != manifest.log.head {
                log_intact = false;
                report.problem(format!(
                    "The log ends at entry {} with hash {}, but the manifest says entry {} with hash {}: entries were added or removed.",
                    log.len(),
                    short(&head),
                    manifest.log.entries,
                    short(&manifest.log.head)
                ));
            }
        }
    }
    if log_intact {
        report.checked.push(format!(
            "All {} log entries follow one another from the first, each matching its hash; the last, entry {}, has hash {}, as the manifest says.",
            log.len(),
            log.len(),
            short(&manifest.log.head)
        ));
        if manifest.organisation.is_some() && manifest.log.chained_on_export < manifest.log.entries
        {
            report.checked.push(format!(
                "Entry {} of the organisation's log on its server must have this same hash: compare it there to know this history is the organisation's.",
                manifest.log.entries - manifest.log.chained_on_export
            ));
        }
    }

    // The records are what the log produces.
    let register = replay(&log);
    let records = by_name.get(RECORDS).copied().unwrap_or_default();
    if records == records_bytes(&register).as_slice() {
        report.checked.push(format!(
            "Its {} records are exactly what the log produces, field by field with their clocks.",
            register.len()
        ));
    } else {
        for problem in record_differences(&register, records) {
            report.problem(problem);
        }
    }
    if manifest.records != register.len() as u64 {
        report.problem(format!(
            "The manifest counts {} records, but the log produces {}.",
            manifest.records,
            register.len()
        ));
    }

    let members: Vec<Member> =
        match serde_json::from_slice(by_name.get(MEMBERS).copied().unwrap_or_default()) {
            Ok(members) => members,
            Err(e) => return report.refused(format!("{MEMBERS} cannot be read: {e}.")),
        };

    // What is derived from the records is what they produce.
    let sheets = register_sheets(&register);
    let mut derived_intact = true;
    for (name, bytes) in &sheets {
        if by_name.get(name.as_str()).copied() != Some(bytes.as_slice()) {
            derived_intact = false;
            report.problem(format!("“{name}” is not the register the records hold."));
        }
    }
    for entry in &entries {
        if entry.name.starts_with(REGISTERS) && !sheets.iter().any(|(n, _)| *n == entry.name) {
            derived_intact = false;
            report.problem(format!(
                "“{}” is a register the records do not hold.",
                entry.name
            ));
        }
    }
    if by_name.get(INDEX).copied() != Some(index_html(&manifest, &register, &sheets).as_bytes()) {
        derived_intact = false;
        report.problem(format!("“{INDEX}” is not the index the records produce."));
    }
    if derived_intact {
        report.checked.push(format!(
            "The CSV files of its {} and its index are what the records produce.",
            counted(sheets.len(), "register")
        ));
    }

    // Evidence files.
    let named = named_files(&register);
    let mut files_held = BTreeMap::new();
    let mut files_intact = true;
    for file in &manifest.files {
        let Some(bytes) = by_name.get(format!("{FILES}{}", file.sha256).as_str()) else {
            files_intact = false;
            report.problem(format!(
                "The evidence file {} is missing from the file.",
                short(&file.sha256)
            ));
            continue;
        };
        let whose = named
            .get(&file.sha256)
            .map(|title| format!(" (evidence “{title}”)"))
            .unwrap_or_default();
        if files::digest(bytes) != file.sha256 {
            files_intact = false;
            report.problem(format!(
                "The evidence file {}{whose} was altered: its bytes no longer have that SHA-256.",
                short(&file.sha256)
            ));
        } else if bytes.len() as u64 != file.size {
            files_intact = false;
            report.problem(format!(
                "The evidence file {}{whose} is not the size the manifest records.",
                short(&file.sha256)
            ));
        }
        files_held.insert(file.sha256.clone(), bytes.to_vec());
    }
    let not_held: BTreeSet<&String> = manifest.files_not_held.iter().collect();
    for (sha, title) in &named {
        if !files_held.contains_key(sha) && !not_held.contains(sha) {
            files_intact = false;
            report.problem(format!(
                "The evidence “{title}” names the file {}, which the file neither holds nor lists as not held.",
                short(sha)
            ));
        }
    }
    if files_intact {
        let mut words = format!(
            "{} held, each matching the SHA-256 digest the log's records name.",
            counted(files_held.len(), "evidence file")
        );
        if !manifest.files_not_held.is_empty() {
            words += &format!(
                " {} files the records name were not held by the exporting device and are not included.",
                manifest.files_not_held.len()
            );
        }
        report.checked.push(words);
    }
    report.opened = Some(Opened {
        manifest,
        log,
        register,
        members,
        files: files_held,
    });
    report
}

/// Log entries written by `log_bytes`, or which line is not one.
pub fn parse_log(bytes: &[u8]) -> Result<Vec<LogEntry>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| format!("“{LOG}” is not text."))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| {
                format!(
                    "Line {} of “{LOG}” is not a log entry ({e}): the log was altered.",
                    i + 1
                )
            })
        })
        .collect()
}

/// How the file's records differ from what the log produces, naming the first few.
fn record_differences(register: &Replica, bytes: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    let text = String::from_utf8_lossy(bytes);
    for (i, line) in text.lines().enumerate() {
        let read: ReadRecord = match serde_json::from_str(line) {
            Ok(read) => read,
            Err(e) => {
                problems.push(format!(
                    "Line {} of “{RECORDS}” is not a record ({e}): the records were altered.",
                    i + 1
                ));
                continue;
            }
        };
        seen.insert(read.id);
        let state = RecordState {
            kind: read.kind,
            fields: read.fields,
        };
        match register.record(read.id) {
            None => problems.push(format!(
                "The records hold {} “{}”, which the log never made.",
                state.kind.spec().label,
                read.id
            )),
            Some(produced) if *produced != state => {
                let field = produced
                    .fields
                    .keys()
                    .chain(state.fields.keys())
                    .find(|f| produced.fields.get(*f) != state.fields.get(*f))
                    .cloned()
                    .unwrap_or_else(|| "kind".to_owned());
                problems.push(format!(
                    "The {} record {} is not what the log produces: its “{field}” differs.",
                    produced.kind.spec().label,
                    read.id
                ));
            }
            Some(_) => {}
        }
    }
    for (id, record) in register.records() {
        if !seen.contains(&id) {
            problems.push(format!(
                "The {} record {id} that the log produces is missing from the records.",
                record.kind.spec().label
            ));
        }
    }
    if problems.is_empty() {
        problems.push(format!(
            "“{RECORDS}” is not written as Ratchet writes what the log produces."
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Value, fixture::day, sync::Device};

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

    /// A small register made the same way every time: a risk, a finding and evidence with
    /// its file.
    fn small() -> (Device, Vec<(FileEntry, Vec<u8>)>) {
        let mut device = Device::new(ClientId::from_u128(1));
        let id = |name| RecordId::derived("archive-test", name);
        let sha = files::digest(PDF);
        let edits: &[(RecordId, Kind, &str, Value)] = &[
            (id("risk"), Kind::Risk, "title", "Laptops are lost".into()),
            (id("risk"), Kind::Risk, "inherent_likelihood", Value::Int(3)),
            (id("risk"), Kind::Risk, "inherent_impact", Value::Int(4)),
            (
                id("finding"),
                Kind::Finding,
                "title",
                "Screens left unlocked".into(),
            ),
            (
                id("finding"),
                Kind::Finding,
                "deviation",
                "Two of five, \"unlocked\"\nat lunch".into(),
            ),
            (
                id("evidence"),
                Kind::Evidence,
                "title",
                "Lock policy".into(),
            ),
            (id("evidence"), Kind::Evidence, "sha256", sha.clone().into()),
            (
                id("evidence"),
                Kind::Evidence,
                "media_type",
                "application/pdf".into(),
            ),
            (
                id("risk"),
                Kind::Risk,
                "title",
                "Laptops are lost or stolen".into(),
            ),
        ];
        for (n, (record, kind, field, value)) in edits.iter().enumerate() {
            device.edit(
                *record,
                *kind,
                field,
                value.clone(),
                1_765_000_000_000 + n as u64,
            );
        }
        let file = FileEntry {
            sha256: sha,
            size: PDF.len() as u64,
            media_type: "application/pdf".into(),
        };
        (device, vec![(file, PDF.to_vec())])
    }

    fn members() -> Vec<Member> {
        vec![Member {
            id: "m1".into(),
            name: "Ada Owner".into(),
            role: Role::Owner,
            removed: false,
            devices: vec![ClientId::from_u128(1)],
        }]
    }

    fn export_of(device: &Device, files: Vec<(FileEntry, Vec<u8>)>, at_ms: u64) -> Vec<u8> {
        let log = chain_after((0, GENESIS), device.ops_beyond_log().cloned());
        write(Export {
            organisation: Some(Organisation {
                id: "org-1".into(),
                name: "Acme".into(),
            }),
            exported_by: Some("Ada Owner".into()),
            exported_at_ms: at_ms,
            log: &log,
            // As an organisation's log from its server.
            chained_on_export: 0,
            members: &members(),
            files,
        })
        .unwrap()
    }

    fn small_export() -> Vec<u8> {
        let (device, files) = small();
        export_of(&device, files, 1_765_100_000_000)
    }

    fn entries_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        read_entries(bytes)
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.bytes))
            .collect()
    }

    /// The file with one part changed and the zip written again, so only the deeper checks
    /// can find it; `reseal` also records the changed parts' digests in the manifest, as a
    /// forger who understood the format would.
    fn altered(
        bytes: &[u8],
        reseal: bool,
        change: impl FnOnce(&mut Vec<(String, Vec<u8>)>),
    ) -> Vec<u8> {
        let mut entries = entries_of(bytes);
        change(&mut entries);
        if reseal {
            let mut manifest: Manifest = serde_json::from_slice(&entries[0].1).unwrap();
            for part in &mut manifest.parts {
                if let Some((_, data)) = entries.iter().find(|(n, _)| *n == part.name) {
                    part.sha256 = files::digest(data);
                    part.bytes = data.len() as u64;
                }
            }
            entries[0].1 = manifest_bytes(&manifest);
        }
        zip_of(&entries).unwrap()
    }

    fn part<'a>(entries: &'a mut [(String, Vec<u8>)], name: &str) -> &'a mut Vec<u8> {
        &mut entries.iter_mut().find(|(n, _)| n == name).unwrap().1
    }

    fn problems(bytes: &[u8]) -> String {
        let report = verify(bytes);
        assert!(
            !report.is_intact(),
            "expected problems: {:?}",
            report.checked
        );
        report.problems.join("\n")
    }

    #[test]
    fn an_export_verifies_and_reads_back_what_was_written() {
        let (device, files) = small();
        let bytes = export_of(&device, files, 1_765_100_000_000);
        let report = verify(&bytes);
        assert!(report.is_intact(), "{:?}", report.problems);
        let words = report.words().join("\n");
        for said in [
            "format version 1, of the organisation “Acme”, exported 2025-12-07T09:33:20Z by Ada Owner",
            "All 9 log entries follow one another from the first",
            "Its 3 records are exactly what the log produces",
            "1 evidence file held, each matching the SHA-256 digest",
            "The CSV files of its 3 registers and its index are what the records produce",
        ] {
            assert!(words.contains(said), "{said} not in {words}");
        }
        let opened = report.opened.unwrap();
        assert_eq!(opened.register, device.local);
        assert_eq!(opened.members, members());
        assert_eq!(opened.files.values().next().unwrap(), PDF);
        let names: Vec<String> = entries_of(&bytes).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "manifest.json",
                "log.jsonl",
                "records.jsonl",
                "members.json",
                "registers/risk.csv",
                "registers/finding.csv",
                "registers/evidence.csv",
                "index.html",
                &format!("files/{}", files::digest(PDF)),
            ]
        );
        let index = String::from_utf8(entries_of(&bytes)[7].1.clone()).unwrap();
        assert!(
            index.contains("<td>Two of five, &quot;unlocked&quot;\nat lunch</td>"),
            "{index}"
        );
    }

    #[test]
    fn export_read_and_export_again_gives_the_same_bytes() {
        let first = small_export();
        let opened = verify(&first).opened.unwrap();
        let again = write(Export {
            organisation: opened.manifest.organisation.clone(),
            exported_by: opened.manifest.exported_by.clone(),
            exported_at_ms: 1_765_100_000_000,
            log: &opened.log,
            chained_on_export: opened.manifest.log.chained_on_export,
            members: &opened.members,
            files: opened
                .manifest
                .files
                .iter()
                .map(|f| (f.clone(), opened.files[&f.sha256].clone()))
                .collect(),
        })
        .unwrap();
        assert_eq!(first, again);
        // Exported later, the log, the records and the files are the same bytes.
        let later = export_of(&small().0, small().1, 1_999_000_000_000);
        let (a, b) = (entries_of(&first), entries_of(&later));
        for name in [
            "log.jsonl",
            "records.jsonl",
            "members.json",
            "registers/risk.csv",
        ] {
            let find =
                |e: &[(String, Vec<u8>)]| e.iter().find(|(n, _)| n == name).unwrap().1.clone();
            assert_eq!(find(&a), find(&b), "{name}");
        }
    }

    #[test]
    fn the_demo_organisation_round_trips_exactly() {
        let mut device = Device::new(ClientId::new());
        crate::demo::build(&mut device, day("2026-06-30"), 1);
        let bytes = export_of(&device, Vec::new(), 1_765_100_000_000);
        let report = verify(&bytes);
        assert!(report.is_intact(), "{:?}", report.problems);
        let opened = report.opened.unwrap();
        assert_eq!(opened.register, device.local);
        assert!(opened.manifest.files_not_held.is_empty());
    }

    #[test]
    fn a_byte_changed_anywhere_in_the_file_is_found() {
        let bytes = small_export();
        for at in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] ^= 0x01;
            let report = verify(&changed);
            assert!(!report.is_intact(), "byte {at} changed unnoticed");
        }
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let bytes = small_export();
        let log_line = |entries: &mut Vec<(String, Vec<u8>)>| {
            let log = part(entries, LOG);
            let text = String::from_utf8(log.clone())
                .unwrap()
                .replace("Screens left unlocked", "Screens always locked");
            *log = text.into_bytes();
        };

        // A changed byte inside a part, found by its checksum and by what it holds.
        let mut flipped = bytes.clone();
        let at = flipped.windows(7).position(|w| w == b"Laptops").unwrap();
        flipped[at] = b'l';
        let said = problems(&flipped);
        assert!(
            said.contains("“log.jsonl” was altered: its bytes do not match the checksum"),
            "{said}"
        );
        assert!(
            said.contains("The log fails its hash chain: log entry 1 does not match its hash"),
            "{said}"
        );

        // An entry's value changed, the zip and the manifest's digests written again.
        let said = problems(&altered(&bytes, true, log_line));
        assert!(
            said.contains("log entry 4 does not match its hash"),
            "{said}"
        );
        assert!(!said.contains("checksum"), "{said}");

        // The same change without resealing: the digest names the part.
        let said = problems(&altered(&bytes, false, log_line));
        assert!(
            said.contains(
                "“log.jsonl” was altered: its SHA-256 is not the one the manifest records"
            ),
            "{said}"
        );

        // The last entry removed.
        let said = problems(&altered(&bytes, true, |e| {
            let log = part(e, LOG);
            let text = String::from_utf8(log.clone()).unwrap();
            let kept: Vec<&str> = text.lines().collect();
            *log = (kept[..kept.len() - 1].join("\n") + "\n").into_bytes();
        }));
        assert!(said.contains("The log ends at entry 8"), "{said}");
        assert!(said.contains("but the manifest says entry 9"), "{said}");

        // A record changed, its line still well formed.
        let said = problems(&altered(&bytes, true, |e| {
            let records = part(e, RECORDS);
            let text = String::from_utf8(records.clone())
                .unwrap()
                .replace("Lock policy", "Lock policies");
            *records = text.into_bytes();
        }));
        assert!(
            said.contains(&format!(
                "The Evidence record {} is not what the log produces: its “title” differs.",
                RecordId::derived("archive-test", "evidence")
            )),
            "{said}"
        );

        // A record removed, and one the log never made.
        let said = problems(&altered(&bytes, true, |e| {
            let records = part(e, RECORDS);
            let text = String::from_utf8(records.clone()).unwrap();
            let other = RecordId::derived("archive-test", "other").to_string();
            let first = text.lines().next().unwrap();
            let id = first[7..43].to_owned();
            *records = text.replacen(&id, &other, 1).into_bytes();
        }));
        assert!(said.contains("which the log never made"), "{said}");
        assert!(
            said.contains("that the log produces is missing from the records"),
            "{said}"
        );

        // An evidence file changed.
        let sha = files::digest(PDF);
        let said = problems(&altered(&bytes, true, |e| {
            part(e, &format!("{FILES}{sha}"))[3] = b'X';
        }));
        assert!(
            said.contains(&format!(
                "The evidence file {} (evidence “Lock policy”) was altered",
                &sha[..16]
            )),
            "{said}"
        );

        // An evidence file taken out, and the manifest's list with it.
        let said = problems(&altered(&bytes, true, |e| {
            e.retain(|(n, _)| !n.starts_with(FILES));
            let mut manifest: Manifest = serde_json::from_slice(&e[0].1).unwrap();
            manifest.files.clear();
            e[0].1 = manifest_bytes(&manifest);
        }));
        assert!(
            said.contains("The evidence “Lock policy” names the file"),
            "{said}"
        );
        assert!(
            said.contains("which the file neither holds nor lists as not held"),
            "{said}"
        );

        // A derived part that is not what the records produce.
        let said = problems(&altered(&bytes, true, |e| {
            let sheet = part(e, "registers/risk.csv");
            *sheet = String::from_utf8(sheet.clone())
                .unwrap()
                .replace("stolen", "found")
                .into_bytes();
        }));
        assert!(
            said.contains("“registers/risk.csv” is not the register the records hold"),
            "{said}"
        );

        // Something added that the manifest does not list.
        let said = problems(&altered(&bytes, false, |e| {
            e.push(("extra.exe".into(), b"MZ".to_vec()))
        }));
        assert!(
            said.contains("The file holds “extra.exe”, which its manifest does not list"),
            "{said}"
        );

        // The manifest's head changed.
        let said = problems(&altered(&bytes, false, |e| {
            let mut manifest: Manifest = serde_json::from_slice(&e[0].1).unwrap();
            manifest.log.head = GENESIS.to_owned();
            e[0].1 = manifest_bytes(&manifest);
        }));
        assert!(
            said.contains("but the manifest says entry 9 with hash 0000000000000000"),
            "{said}"
        );

        // Not an export at all, or cut short.
        assert!(
            problems(b"PK\x03\x04 not really").contains("This is not a readable Ratchet export")
        );
        assert!(
            problems(&bytes[..bytes.len() / 2]).contains("This is not a readable Ratchet export")
        );
        let said = problems(&altered(&bytes, false, |e| {
            e.retain(|(n, _)| n != MANIFEST)
        }));
        assert!(said.contains("it has no manifest.json"), "{said}");
    }

    #[test]
    fn a_file_written_from_a_broken_chain_does_not_verify() {
        let (device, files) = small();
        let mut log = chain_after((0, GENESIS), device.ops_beyond_log().cloned());
        log[2].op.value = "not what was hashed".into();
        let bytes = write(Export {
            organisation: None,
            exported_by: None,
            exported_at_ms: 0,
            log: &log,
            chained_on_export: 9,
            members: &[],
            files,
        })
        .unwrap();
        assert!(problems(&bytes).contains("log entry 3 does not match its hash"));
    }

    #[test]
    fn a_later_format_is_refused_in_words() {
        let bytes = altered(&small_export(), false, |e| {
            let mut manifest: serde_json::Value = serde_json::from_slice(&e[0].1).unwrap();
            manifest["version"] = 2.into();
            manifest["signature"] = "new in version 2".into();
            e[0].1 = serde_json::to_vec_pretty(&manifest).unwrap();
        });
        assert_eq!(
            verify(&bytes).problems,
            [
                "This file was written by a later version of Ratchet (format version 2); this version reads format versions up to 1."
            ]
        );
    }

    /// A consistent forgery (an entry changed, the chain and every digest computed again)
    /// verifies as a file: what gives it away is its head, which is no longer the one the
    /// organisation's server holds at that entry. The report says to compare it.
    #[test]
    fn a_rewritten_history_has_another_head() {
        let (mut device, files) = small();
        let original = export_of(&device, files.clone(), 1_765_100_000_000);
        device.edit(
            RecordId::derived("archive-test", "risk"),
            Kind::Risk,
            "title",
            "Forged".into(),
            1,
        );
        let forged = export_of(&device, files, 1_765_100_000_000);
        let (a, b) = (verify(&original), verify(&forged));
        assert!(b.is_intact());
        assert!(
            b.words()
                .join(" ")
                .contains("must have this same hash: compare it there")
        );
        assert_ne!(
            a.opened.unwrap().manifest.log.head,
            b.opened.unwrap().manifest.log.head
        );
    }

    #[test]
    fn a_restored_register_exports_the_same_file_and_its_own_changes_come_after() {
        let first = small_export();
        let opened = verify(&first).opened.unwrap();
        let mut device = restored_device(&opened, ClientId::from_u128(2));
        assert_eq!(device.local, opened.register);
        let (log, chained) = device_log(opened.log.clone(), &device);
        assert_eq!((log.len(), chained), (9, 0));
        let again = write(Export {
            organisation: opened.manifest.organisation.clone(),
            exported_by: opened.manifest.exported_by.clone(),
            exported_at_ms: 1_765_100_000_000,
            log: &log,
            chained_on_export: 0,
            members: &opened.members,
            files: vec![(opened.manifest.files[0].clone(), PDF.to_vec())],
        })
        .unwrap();
        assert_eq!(again, first);

        // An edit made after restoring, even on a clock far behind, wins and is chained on.
        let risk = RecordId::derived("archive-test", "risk");
        device.edit(risk, Kind::Risk, "title", "Laptops are tracked".into(), 5);
        let (log, chained) = device_log(opened.log.clone(), &device);
        assert_eq!((log.len(), chained), (10, 1));
        assert_eq!(
            chain::verify(9, &opened.manifest.log.head, &log[9..]),
            Ok(log[9].hash.clone())
        );
        assert_eq!(
            replay(&log).record(risk).unwrap().get("title"),
            Some(&Value::from("Laptops are tracked"))
        );
    }

    #[test]
    fn only_an_owner_imports_a_history_and_only_into_a_new_organisation() {
        let (device, _) = small();
        let log = chain_after((0, GENESIS), device.ops_beyond_log().cloned());
        assert_eq!(
            judge_import(Role::Admin, 0, GENESIS, 0, &log),
            Err(ImportRefusal::NotOwner)
        );
        let head = judge_import(Role::Owner, 0, GENESIS, 0, &log[..4]).unwrap();
        assert_eq!(head, log[3].hash);
        assert_eq!(
            judge_import(Role::Owner, 4, &head, 4, &log[4..]),
            Ok(log[8].hash.clone())
        );
        // Something was pushed after the first page: the log is no longer only the import.
        assert_eq!(
            judge_import(Role::Owner, 5, &head, 4, &log[4..]),
            Err(ImportRefusal::NotNew)
        );
        // A page that skips an entry, or whose entry was altered, does not continue the chain.
        assert!(matches!(
            judge_import(Role::Owner, 4, &head, 4, &log[5..]),
            Err(ImportRefusal::Chain(chain::ChainError::Gap { .. }))
        ));
        let mut altered = log[4..].to_vec();
        altered[0].op.value = "forged".into();
        assert_eq!(
            judge_import(Role::Owner, 4, &head, 4, &altered),
            Err(ImportRefusal::Chain(chain::ChainError::Mismatch { seq: 5 }))
        );
        assert_eq!(ImportRefusal::NotNew.status(), 409);
    }

    #[test]
    fn an_import_is_sent_in_pages_within_entries_and_bytes() {
        let mut device = Device::new(ClientId::new());
        crate::demo::build(&mut device, day("2026-06-30"), 1);
        let log = chain_after((0, GENESIS), device.ops_beyond_log().cloned());
        let pages = import_pages(&log, 64 * 1024);
        assert_eq!(pages.iter().map(|p| p.len()).sum::<usize>(), log.len());
        assert!(
            pages
                .iter()
                .all(|p| p.len() <= IMPORT_MAX_ENTRIES && !p.is_empty())
        );
        assert!(
            pages.iter().all(
                |p| p.len() == 1 || serde_json::to_vec(p).unwrap().len() <= 64 * 1024 + p.len()
            )
        );
        assert_eq!(import_pages(&log[..1], 1).len(), 1, "one entry always goes");
    }

    /// A file written by format version 1, kept in the repository: every later version of
    /// Ratchet must still verify and read it. If this version now writes it differently, the
    /// format changed: raise `VERSION`, keep this file, and add one for the new version.
    #[test]
    fn a_file_written_by_format_version_1_still_verifies_and_reads() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/export-v1.ratchet"
        );
        if std::env::var_os("RATCHET_WRITE_FIXTURE").is_some() {
            std::fs::write(path, small_export()).unwrap();
        }
        let kept =
            std::fs::read(path).expect("the version 1 fixture (RATCHET_WRITE_FIXTURE=1 writes it)");
        let report = verify(&kept);
        assert!(report.is_intact(), "{:?}", report.problems);
        assert_eq!(report.opened.unwrap().register, small().0.local);
        if VERSION == 1 {
            assert!(
                kept == small_export(),
                "format version 1 is now written differently"
            );
        }
    }
}
