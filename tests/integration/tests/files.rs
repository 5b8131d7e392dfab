//! Evidence files against a real `wrangler dev` with its local R2: upload and download by
//! digest, and every refusal the file API promises, each with its status and nothing stored.

use engine::files::{FILE_MAX_BYTES, StoredFile, digest};
use integration::{
    Case, ORG_FILE_QUOTA_BYTES, WranglerDev, code, create_org, join_as, push, run_cases,
};
use register::{Kind, Value, api::Credential, policy, sync::Device, views::Policy};

/// PUTs `bytes` as the file `name`, with `media_type` unless `None`; status and JSON body.
fn upload(
    server: &WranglerDev,
    who: Option<&Credential>,
    org: &str,
    name: &str,
    media_type: Option<&str>,
    bytes: &[u8],
) -> (u16, serde_json::Value) {
    let mut request = ureq::put(&server.url(&format!("/api/orgs/{org}/files/{name}")));
    if let Some(who) = who {
        request = request.set("authorization", &format!("Bearer {}", who.token));
    }
    if let Some(media_type) = media_type {
        request = request.set("content-type", media_type);
    }
    let response = match request.send_bytes(bytes) {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("PUT {name}: {error}"),
    };
    let status = response.status();
    (status, response.into_json().expect("a JSON answer"))
}

fn put(
    server: &WranglerDev,
    who: &Credential,
    media_type: &str,
    bytes: &[u8],
) -> (u16, serde_json::Value) {
    upload(
        server,
        Some(who),
        &who.org,
        &digest(bytes),
        Some(media_type),
        bytes,
    )
}

/// GETs the file `name` of `who`'s organisation: status, content type and bytes.
fn download(server: &WranglerDev, who: &Credential, name: &str) -> (u16, String, Vec<u8>) {
    let request = ureq::get(&server.url(&format!("/api/orgs/{}/files/{name}", who.org)))
        .set("authorization", &format!("Bearer {}", who.token));
    let response = match request.call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("GET {name}: {error}"),
    };
    let status = response.status();
    let content_type = response.content_type().to_owned();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).expect("the body");
    (status, content_type, bytes)
}

/// How many objects the local R2 holds, read off wrangler's state directory.
fn objects_in_bucket(server: &WranglerDev) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| {
                    let path = entry.path();
                    if path.is_dir() { count(&path) } else { 1 }
                })
                .sum()
        })
    }
    count(
        &server
            .state_dir()
            .join("state/v3/r2/ratchet-evidence/blobs"),
    )
}

/// A file's bytes: distinct for each `seed`, of `size` bytes.
fn bytes(seed: &str, size: usize) -> Vec<u8> {
    seed.bytes().cycle().take(size).collect()
}

/// The bytes of a file of `media_type` (an image or PDF begins as one does), distinct for
/// each `seed`, of `size` bytes.
fn file_of(media_type: &str, seed: &str, size: usize) -> Vec<u8> {
    let start: &[u8] = match media_type {
        "image/jpeg" => &[0xFF, 0xD8, 0xFF, 0xE0],
        "image/png" => b"\x89PNG\r\n\x1a\n",
        "application/pdf" => b"%PDF-1.7\n",
        _ => b"",
    };
    let mut file = start.to_vec();
    file.extend(bytes(seed, size - start.len()));
    file
}

/// Asserts a refusal: its status and code, that the bucket gained nothing and the digest is
/// not held.
fn assert_refused(
    server: &WranglerDev,
    reader: &Credential,
    (status, body): (u16, serde_json::Value),
    expected: (u16, &str),
    name: &str,
    objects_before: usize,
) {
    assert_eq!((status, code(&body)), expected, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.len() > 20),
        "a message that says why: {body}"
    );
    assert_eq!(objects_in_bucket(server), objects_before, "nothing stored");
    assert_eq!(download(server, reader, name).0, 404, "{name} is not held");
}

fn a_file_goes_up_once_and_comes_back_whole(server: &WranglerDev) {
    let owner = create_org(server, "Evidence Ltd");
    let auditor = join_as(server, &owner, "auditor", "Aud Itor");
    let viewer = join_as(server, &owner, "viewer", "Vi Ewer");
    let photo = file_of("image/jpeg", "locked rack photo ", 200_000);
    let name = digest(&photo);
    let before = objects_in_bucket(server);

    let (status, body) = put(server, &auditor, "image/jpeg", &photo);
    assert_eq!(status, 201, "{body}");
    let stored: StoredFile = serde_json::from_value(body).unwrap();
    assert_eq!(
        stored,
        StoredFile {
            sha256: name.clone(),
            size: photo.len() as u64,
            media_type: "image/jpeg".into(),
            created: true
        }
    );
    assert_eq!(objects_in_bucket(server), before + 1);

    // Sent again after a drop: taken, not stored twice.
    let (status, body) = put(server, &owner, "image/jpeg", &photo);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], false);
    assert_eq!(objects_in_bucket(server), before + 1);

    for member in [&owner, &auditor, &viewer] {
        let (status, content_type, received) = download(server, member, &name);
        assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
        assert_eq!(digest(&received), name, "the same bytes");
    }

    // A media type is compared without its parameters.
    let log = b"2026-12-01 backup ok\n".to_vec();
    let (status, body) = put(server, &owner, "Text/Plain; charset=utf-8", &log);
    assert_eq!(
        (status, body["media_type"].as_str()),
        (201, Some("text/plain"))
    );
}

fn content_that_does_not_match_its_name_is_refused(server: &WranglerDev) {
    let owner = create_org(server, "Digest Co");
    let before = objects_in_bucket(server);
    let claimed = digest(b"the visitor book, page 1");
    let response = upload(
        server,
        Some(&owner),
        &owner.org,
        &claimed,
        Some("text/plain"),
        b"the visitor book, page 2",
    );
    assert_refused(
        server,
        &owner,
        response,
        (422, "digest_mismatch"),
        &claimed,
        before,
    );

    let response = upload(
        server,
        Some(&owner),
        &owner.org,
        "not-a-digest",
        Some("text/plain"),
        b"x",
    );
    assert_eq!((response.0, code(&response.1)), (400, "invalid_digest"));
    let response = upload(
        server,
        Some(&owner),
        &owner.org,
        &claimed.to_uppercase(),
        Some("text/plain"),
        b"x",
    );
    assert_eq!((response.0, code(&response.1)), (400, "invalid_digest"));
    let (status, _, body) = download(server, &owner, "..%2F..%2Fetc");
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
}

fn a_file_past_the_size_limit_is_refused(server: &WranglerDev) {
    let owner = create_org(server, "Big Files plc");
    let before = objects_in_bucket(server);
    let large = file_of("application/pdf", "scan ", FILE_MAX_BYTES as usize + 1);
    let name = digest(&large);
    let response = put(server, &owner, "application/pdf", &large);
    assert_refused(
        server,
        &owner,
        response,
        (413, "file_too_large"),
        &name,
        before,
    );

    // Exactly at the limit is taken.
    let (status, body) = put(server, &owner, "application/pdf", &large[..large.len() - 1]);
    assert_eq!(status, 201, "{body}");
}

fn only_allowed_types_are_taken(server: &WranglerDev) {
    let owner = create_org(server, "Types Ltd");
    let before = objects_in_bucket(server);
    let program = b"MZ\x90\x00 not evidence".to_vec();
    let name = digest(&program);
    for media_type in [Some("application/x-msdownload"), Some("text/html"), None] {
        let response = upload(
            server,
            Some(&owner),
            &owner.org,
            &name,
            media_type,
            &program,
        );
        assert_refused(
            server,
            &owner,
            response,
            (415, "unsupported_file_type"),
            &name,
            before,
        );
    }
    for media_type in [
        "image/png",
        "application/pdf",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ] {
        let file = file_of(media_type, media_type, 64);
        let (status, body) = put(server, &owner, media_type, &file);
        assert_eq!(status, 201, "{media_type}: {body}");
    }
}

/// An image or PDF is taken only if its content is one: a page said to be a picture is
/// refused. Said to be text, it is taken, and only ever comes back as a download.
fn a_file_that_is_not_what_its_type_says_is_refused(server: &WranglerDev) {
    let owner = create_org(server, "Disguises Ltd");
    let page =
        b"<!doctype html><p>Your session ended. <a href=//evil.example>Sign in again</a>".to_vec();
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let before = objects_in_bucket(server);
    for (media_type, content) in [
        ("image/png", &page),
        ("image/jpeg", &svg),
        ("application/pdf", &page),
    ] {
        let name = digest(content);
        let response = upload(
            server,
            Some(&owner),
            &owner.org,
            &name,
            Some(media_type),
            content,
        );
        assert_refused(
            server,
            &owner,
            response,
            (415, "content_not_type"),
            &name,
            before,
        );
    }
    let (status, body) = put(server, &owner, "text/plain", &page);
    assert_eq!(status, 201, "{body}");
    let response =
        ureq::get(&server.url(&format!("/api/orgs/{}/files/{}", owner.org, digest(&page))))
            .set("authorization", &format!("Bearer {}", owner.token))
            .call()
            .unwrap();
    assert_eq!(response.header("content-type"), Some("text/plain"));
    assert_eq!(response.header("content-disposition"), Some("attachment"));
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
}

fn only_members_who_may_write_evidence_upload(server: &WranglerDev) {
    let owner = create_org(server, "Roles & Files");
    let viewer = join_as(server, &owner, "viewer", "Vi Ewer");
    let before = objects_in_bucket(server);
    let file = file_of("image/png", "viewer's photo ", 1000);
    let name = digest(&file);

    let response = put(server, &viewer, "image/png", &file);
    assert_refused(server, &owner, response, (403, "forbidden"), &name, before);

    let response = upload(server, None, &owner.org, &name, Some("image/png"), &file);
    assert_refused(
        server,
        &owner,
        response,
        (401, "missing_credential"),
        &name,
        before,
    );

    let forged = Credential {
        token: format!("{}.{}.{}", owner.org, owner.client, "0".repeat(64)),
        ..owner.clone()
    };
    let response = put(server, &forged, "image/png", &file);
    assert_refused(
        server,
        &owner,
        response,
        (401, "invalid_credential"),
        &name,
        before,
    );
    assert_eq!(download(server, &forged, &name).0, 401);
}

fn organisations_never_reach_each_others_files(server: &WranglerDev) {
    let alpha = create_org(server, "Alpha Files");
    let beta = create_org(server, "Beta Files");
    let file = file_of("application/pdf", "alpha's pen test report ", 5000);
    let name = digest(&file);
    assert_eq!(put(server, &alpha, "application/pdf", &file).0, 201);
    let before = objects_in_bucket(server);

    // Beta's credential on Alpha's path is refused before Alpha's object is reached.
    let response = upload(
        server,
        Some(&beta),
        &alpha.org,
        &name,
        Some("application/pdf"),
        &file,
    );
    assert_eq!((response.0, code(&response.1)), (403, "other_organisation"));
    let request = ureq::get(&server.url(&format!("/api/orgs/{}/files/{name}", alpha.org)))
        .set("authorization", &format!("Bearer {}", beta.token));
    let status = match request.call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response.status(),
        Err(error) => panic!("{error}"),
    };
    assert_eq!(status, 403);

    // Beta asking its own organisation for Alpha's digest finds nothing.
    let (status, _, body) = download(server, &beta, &name);
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, code(&body)), (404, "file_not_found"));
    assert_eq!(objects_in_bucket(server), before);
}

/// The test server's quota (`ORG_FILE_QUOTA_BYTES`) has room for one such file, not two.
fn an_organisation_keeps_files_up_to_its_quota(server: &WranglerDev) {
    let owner = create_org(server, "Quota Ltd");
    let first = file_of("application/pdf", "first scan ", 9 * 1024 * 1024);
    assert!(2 * first.len() as u64 > ORG_FILE_QUOTA_BYTES);
    assert_eq!(put(server, &owner, "application/pdf", &first).0, 201);
    let before = objects_in_bucket(server);
    let second = file_of("application/pdf", "second scan ", 9 * 1024 * 1024);
    let response = put(server, &owner, "application/pdf", &second);
    assert_refused(
        server,
        &owner,
        response,
        (413, "quota_exceeded"),
        &digest(&second),
        before,
    );
    // What still fits is taken.
    let small = bytes("note ", 1000);
    assert_eq!(put(server, &owner, "text/plain", &small).0, 201);
}

/// A JPEG whose EXIF says where it was taken (51° 30′ 2.52″ N).
const LOCATED_JPEG: &str = "ffd8ffe1005845786966000049492a0008000000010025880400010000001a00000000000000020001000200020000004e0000000200050003000000380000000000000033000000010000001e00000001000000fc00000064000000ffd9";

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).unwrap())
        .collect()
}

fn an_image_that_says_where_it_was_taken_is_kept_only_if_the_organisation_keeps_that(
    server: &WranglerDev,
) {
    let owner = create_org(server, "Photo Ltd");
    let photo = from_hex(LOCATED_JPEG);
    let before = objects_in_bucket(server);
    let refused = put(server, &owner, "image/jpeg", &photo);
    assert_refused(
        server,
        &owner,
        refused,
        (422, "location_kept"),
        &digest(&photo),
        before,
    );
    // Once the organisation decides to keep photo locations, the same file is taken.
    let mut device = Device::new(owner.client);
    device.edit(
        policy::id(),
        Kind::Policy,
        Policy::photo_location,
        Value::from(policy::KEEP),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64,
    );
    assert_eq!(
        push(server, &owner, &device.push_request(500).unwrap()).0,
        200
    );
    assert_eq!(put(server, &owner, "image/jpeg", &photo).0, 201);
}

fn main() -> std::process::ExitCode {
    let cases: &[Case] = &[
        (
            "a_file_goes_up_once_and_comes_back_whole",
            a_file_goes_up_once_and_comes_back_whole,
        ),
        (
            "content_that_does_not_match_its_name_is_refused",
            content_that_does_not_match_its_name_is_refused,
        ),
        (
            "a_file_past_the_size_limit_is_refused",
            a_file_past_the_size_limit_is_refused,
        ),
        ("only_allowed_types_are_taken", only_allowed_types_are_taken),
        (
            "a_file_that_is_not_what_its_type_says_is_refused",
            a_file_that_is_not_what_its_type_says_is_refused,
        ),
        (
            "only_members_who_may_write_evidence_upload",
            only_members_who_may_write_evidence_upload,
        ),
        (
            "organisations_never_reach_each_others_files",
            organisations_never_reach_each_others_files,
        ),
        (
            "an_organisation_keeps_files_up_to_its_quota",
            an_organisation_keeps_files_up_to_its_quota,
        ),
        (
            "an_image_that_says_where_it_was_taken_is_kept_only_if_the_organisation_keeps_that",
            an_image_that_says_where_it_was_taken_is_kept_only_if_the_organisation_keeps_that,
        ),
    ];
    run_cases(cases)
}
