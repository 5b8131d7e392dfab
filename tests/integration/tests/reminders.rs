//! Reminders through a real `wrangler dev`: the organisation's alarm, rung by the test at a
//! chosen time, works out each device's reminder and posts it to a stand-in push service on
//! loopback. The stand-in checks the VAPID signature (RFC 8292) and decrypts the payload
//! (RFC 8291, RFC 8188) itself, from the RFCs with RustCrypto primitives, not through the
//! worker's web-push crate.

use aes_gcm::{Aes128Gcm, KeyInit, aead::Aead};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use hkdf::Hkdf;
use integration::{
    Body, Case, TEST_VAPID_KEY, WranglerDev, call, code, create_org, join_as, push_all, run_cases,
    set,
};
use p256::{
    PublicKey, SecretKey,
    ecdsa::{Signature, SigningKey, VerifyingKey, signature::Verifier},
    elliptic_curve::{rand_core::OsRng, sec1::ToEncodedPoint},
};
use register::{
    Kind, RecordId, Value,
    api::{Credential, ReminderPush, RemindersStatus},
    sync::Device,
    views::{Action, Finding},
};
use serde_json::json;
use sha2::Sha256;
use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpListener,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// One request the stand-in push service received.
#[derive(Clone)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A push service on loopback: answers 410 Gone for paths under `/gone/`, 201 otherwise.
struct PushService {
    origin: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl PushService {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(200) {
                let Ok(mut stream) = stream else { continue };
                stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap_or_default();
                let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
                let mut headers = Vec::new();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = header.trim_end().split_once(':') {
                        headers.push((name.trim().to_owned(), value.trim().to_owned()));
                    }
                }
                let length = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap_or_default();
                let status = if path.starts_with("/gone/") {
                    "410 Gone"
                } else {
                    "201 Created"
                };
                store.lock().unwrap().push(Received {
                    path,
                    headers,
                    body,
                });
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Self { origin, received }
    }

    fn to(&self, path: &str) -> Vec<Received> {
        let received = self.received.lock().unwrap();
        received
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

/// A browser's side of one push subscription: its keys, as `pushManager.subscribe` makes them.
struct Browser {
    secret: SecretKey,
    auth: [u8; 16],
    endpoint: String,
}

impl Browser {
    fn new(service: &PushService, path: &str) -> Self {
        let mut auth = [0u8; 16];
        auth.copy_from_slice(&B64.decode("_ordMnz7uTCmrpBTeUV4Bw").unwrap());
        auth[0] ^= path.len() as u8;
        Self {
            secret: SecretKey::random(&mut OsRng),
            auth,
            endpoint: format!("{}{path}", service.origin),
        }
    }

    fn public(&self) -> Vec<u8> {
        self.secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    fn subscription(&self, hour: u8) -> serde_json::Value {
        json!({
            "endpoint": self.endpoint,
            "p256dh": B64.encode(self.public()),
            "auth": B64.encode(self.auth),
            "schedule": {
                "hour": hour,
                "utc_offset_minutes": 0,
                "topics": ["overdue", "due_this_week", "assigned", "meetings", "evidence"],
            },
        })
    }

    /// RFC 8291 §3.4 and RFC 8188 §2: the payload, decrypted with this browser's keys.
    fn decrypt(&self, body: &[u8]) -> Vec<u8> {
        let (salt, rest) = body.split_at(16);
        let record_size = u32::from_be_bytes(rest[..4].try_into().unwrap());
        assert!(record_size as usize >= body.len() - 86, "one record");
        let id_length = rest[4] as usize;
        assert_eq!(id_length, 65, "the key id is the server's public key");
        let (server_public, ciphertext) = rest[5..].split_at(id_length);
        let server_public = PublicKey::from_sec1_bytes(server_public).unwrap();
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), server_public.as_affine());
        let mut key_info = b"WebPush: info\0".to_vec();
        key_info.extend(self.public());
        key_info.extend(server_public.to_encoded_point(false).as_bytes());
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes())
            .expand(&key_info, &mut ikm)
            .unwrap();
        let content = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut key, mut nonce) = ([0u8; 16], [0u8; 12]);
        content
            .expand(b"Content-Encoding: aes128gcm\0", &mut key)
            .unwrap();
        content
            .expand(b"Content-Encoding: nonce\0", &mut nonce)
            .unwrap();
        let mut plain = Aes128Gcm::new(&key.into())
            .decrypt(&nonce.into(), ciphertext)
            .expect("the payload decrypts with the browser's keys");
        // The last record ends with a 2 delimiter, then any zero padding.
        while plain.last() == Some(&0) {
            plain.pop();
        }
        assert_eq!(plain.pop(), Some(2), "the last record's delimiter");
        plain
    }
}

/// RFC 8292: `vapid t=<ES256 JWT for the push service's origin>, k=<the server's key>`.
fn assert_vapid(received: &Received, service: &PushService) {
    let authorization = received.header("authorization");
    let rest = authorization
        .strip_prefix("vapid ")
        .expect("a vapid scheme");
    let (token, key) = rest.split_once(", k=").expect("t= and k=");
    let token = token.strip_prefix("t=").unwrap();
    let server = SigningKey::from_slice(&B64.decode(TEST_VAPID_KEY).unwrap()).unwrap();
    let expected = server.verifying_key().to_encoded_point(false);
    assert_eq!(
        B64.decode(key).unwrap(),
        expected.as_bytes(),
        "k is the server's key"
    );
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let header: serde_json::Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: serde_json::Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["aud"], service.origin.as_str());
    let exp = claims["exp"].as_u64().unwrap();
    let now = integration::now_ms() / 1000;
    assert!(
        exp > now && exp <= now + 24 * 3600,
        "exp {exp} within a day of {now}"
    );
    let signature = Signature::from_slice(&B64.decode(parts[2]).unwrap()).unwrap();
    VerifyingKey::from_sec1_bytes(expected.as_bytes())
        .unwrap()
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the JWT is signed by the server's VAPID key");
    assert_eq!(received.header("content-encoding"), "aes128gcm");
    assert!(
        received
            .header("ttl")
            .parse::<u64>()
            .is_ok_and(|ttl| ttl > 0)
    );
}

fn reminders(server: &WranglerDev, who: &Credential) -> RemindersStatus {
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/reminders", who.org),
        Some(&who.token),
        Body::Empty,
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

fn subscribe(
    server: &WranglerDev,
    who: &Credential,
    subscription: serde_json::Value,
) -> (u16, serde_json::Value) {
    call(
        server,
        "PUT",
        &format!("/api/orgs/{}/reminders", who.org),
        Some(&who.token),
        Body::Json(subscription),
    )
}

fn ms(instant: &str) -> u64 {
    chrono::DateTime::parse_from_rfc3339(instant)
        .unwrap()
        .timestamp_millis() as u64
}

/// Sets the organisation's reminder clock to `instant`, which rings its alarm, and waits until
/// the alarm has worked the reminders out.
fn ring_at(server: &WranglerDev, owner: &Credential, instant: &str) {
    let (status, body) = call(
        server,
        "POST",
        &format!("/api/orgs/{}/reminders/clock", owner.org),
        Some(&owner.token),
        Body::Json(json!({ "now_ms": ms(instant) })),
    );
    assert_eq!(status, 200, "{body}");
    let started = Instant::now();
    while reminders(server, owner).last_pass_ms != Some(ms(instant)) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the alarm did not run within 20 s:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn action(device: &mut Device, finding: RecordId, title: &str, owner: &Credential, due: &str) {
    set(
        device,
        RecordId::new(),
        Kind::Action,
        &[
            (Action::title, Value::from(title)),
            (Action::action_type, Value::from("corrective")),
            (Action::finding, Value::from(finding.to_string().as_str())),
            (Action::owner, Value::from(owner.member.as_str())),
            (Action::due, Value::from(due)),
        ],
    );
}

fn the_alarm_sends_each_device_with_something_new_one_signed_encrypted_reminder(
    server: &WranglerDev,
) {
    let service = PushService::start();
    let owner = create_org(server, "Reminders Ltd");
    let ann = join_as(server, &owner, "editor", "Ann Editor");
    let vic = join_as(server, &owner, "viewer", "Vic Viewer");
    let gus = join_as(server, &owner, "editor", "Gus Gone");
    let rae = join_as(server, &owner, "editor", "Rae Revoked");
    // Before anyone subscribes, the clock stands before the day's hour.
    ring_at(server, &owner, "2027-03-02T06:00:00Z");

    let mut device = Device::new(owner.client);
    let finding = RecordId::new();
    set(
        &mut device,
        finding,
        Kind::Finding,
        &[
            (Finding::title, Value::from("Backups never restored")),
            (Finding::finding_type, Value::from("minor_nc")),
            (Finding::owner, Value::from(owner.member.as_str())),
        ],
    );
    action(
        &mut device,
        finding,
        "Write the restore runbook",
        &owner,
        "2027-02-20",
    );
    action(&mut device, finding, "Restore a backup", &ann, "2027-03-05");
    action(&mut device, finding, "Test the restore", &gus, "2027-02-25");
    action(&mut device, finding, "Label the tapes", &rae, "2027-02-25");
    push_all(server, &owner, &mut device);

    let browsers: Vec<(&Credential, Browser)> = [
        (&owner, "/push/owner"),
        (&ann, "/push/ann"),
        (&vic, "/push/vic"),
        (&gus, "/gone/gus"),
        (&rae, "/push/rae"),
    ]
    .into_iter()
    .map(|(who, path)| (who, Browser::new(&service, path)))
    .collect();
    for (who, browser) in &browsers {
        let (status, body) = subscribe(server, who, browser.subscription(9));
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = call(
        server,
        "DELETE",
        &format!("/api/orgs/{}/devices/{}", owner.org, rae.client),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!(status, 204, "{body}");
    let on = reminders(server, &owner).members_on;
    assert!(
        on.contains(&gus.member) && !on.contains(&rae.member),
        "{on:?}"
    );

    ring_at(server, &owner, "2027-03-02T09:30:00Z");
    for path in ["/push/owner", "/push/ann", "/gone/gus"] {
        assert_eq!(service.to(path).len(), 1, "one push to {path}");
    }
    assert!(
        service.to("/push/vic").is_empty(),
        "nothing for a member with no work"
    );
    assert!(
        service.to("/push/rae").is_empty(),
        "nothing for a revoked device"
    );
    for (who, browser) in &browsers[..2] {
        let path = browser.endpoint.trim_start_matches(&service.origin);
        let received = &service.to(path)[0];
        assert_vapid(received, &service);
        let push: ReminderPush = serde_json::from_slice(&browser.decrypt(&received.body)).unwrap();
        assert_eq!(push.title, "Your work in Reminders Ltd");
        assert_eq!(push.url, "/my-work");
        assert_eq!(push.sent_ms, ms("2027-03-02T09:30:00Z"));
        if who.member == owner.member {
            assert_eq!((push.counts.overdue, push.counts.due_this_week), (1, 0));
            assert_eq!(push.body, "1 action overdue");
        } else {
            assert_eq!((push.counts.overdue, push.counts.due_this_week), (0, 1));
            assert_eq!(push.body, "1 action due this week");
        }
    }
    // The push service said Gus's subscription is gone: it is forgotten.
    assert!(reminders(server, &gus).devices.is_empty());
    let mine = reminders(server, &owner);
    assert_eq!(mine.devices.len(), 1);
    assert_eq!(mine.sent.len(), 1);
    assert_eq!(mine.sent[0].body, "1 action overdue");
    assert_eq!(mine.sent[0].client, owner.client);

    // The next day holds nothing new: nothing is sent.
    let before = service.count();
    ring_at(server, &owner, "2027-03-03T09:30:00Z");
    assert_eq!(service.count(), before, "nothing new, nothing sent");

    // New work for Ann: only she hears of it, with both actions counted.
    action(
        &mut device,
        finding,
        "Document the restore",
        &ann,
        "2027-03-06",
    );
    push_all(server, &owner, &mut device);
    ring_at(server, &owner, "2027-03-04T09:30:00Z");
    assert_eq!(service.count(), before + 1);
    let ann_browser = &browsers[1].1;
    let latest = service.to("/push/ann").pop().unwrap();
    let push: ReminderPush = serde_json::from_slice(&ann_browser.decrypt(&latest.body)).unwrap();
    assert_eq!(push.counts.due_this_week, 2);
    assert_eq!(push.counts.assigned, 1);

    // On the first of the month the owner hears that the management summary is ready, and
    // the notification opens it; an editor's reminder says nothing of it.
    ring_at(server, &owner, "2027-04-01T09:30:00Z");
    let owner_browser = &browsers[0].1;
    let latest = service.to("/push/owner").pop().unwrap();
    let push: ReminderPush = serde_json::from_slice(&owner_browser.decrypt(&latest.body)).unwrap();
    assert_eq!(
        push.body,
        "March's management summary is ready · 1 action overdue"
    );
    assert_eq!(push.url, "/summary");
    let latest = service.to("/push/ann").pop().unwrap();
    let push: ReminderPush = serde_json::from_slice(&ann_browser.decrypt(&latest.body)).unwrap();
    assert_eq!(push.body, "2 actions overdue");
    assert_eq!(push.url, "/my-work");
}

fn bad_subscriptions_are_refused_and_only_your_own_devices_are_turned_off(server: &WranglerDev) {
    let service = PushService::start();
    let owner = create_org(server, "Refusals Ltd");
    let ann = join_as(server, &owner, "editor", "Ann Editor");
    let browser = Browser::new(&service, "/push/owner");
    let refused = |change: &dyn Fn(&mut serde_json::Value), why: &str| {
        let mut subscription = browser.subscription(9);
        change(&mut subscription);
        let (status, body) = subscribe(server, &owner, subscription);
        assert_eq!(
            (status, code(&body)),
            (400, "invalid_subscription"),
            "{body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(why), "{message}");
    };
    refused(
        &|s| s["endpoint"] = "http://push.example/x".into(),
        "https://",
    );
    refused(&|s| s["p256dh"] = "AAAA".into(), "p256dh");
    refused(&|s| s["auth"] = "AAAA".into(), "auth");
    refused(&|s| s["schedule"]["hour"] = 24.into(), "hour");
    refused(&|s| s["schedule"]["topics"] = json!([]), "at least one");
    assert!(
        reminders(server, &owner).devices.is_empty(),
        "nothing refused is kept"
    );

    let (status, body) = subscribe(server, &owner, browser.subscription(9));
    assert_eq!(status, 200, "{body}");
    // Ann cannot turn off the owner's device; the owner can.
    let off = |who: &Credential| {
        call(
            server,
            "DELETE",
            &format!("/api/orgs/{}/reminders/{}", owner.org, owner.client),
            Some(&who.token),
            Body::Empty,
        )
    };
    assert_eq!(off(&ann).0, 200);
    assert_eq!(reminders(server, &owner).devices.len(), 1);
    assert_eq!(off(&owner).0, 200);
    assert!(reminders(server, &owner).devices.is_empty());
    // Only an owner or admin of a server with test hooks sets the clock.
    let (status, _) = call(
        server,
        "POST",
        &format!("/api/orgs/{}/reminders/clock", owner.org),
        Some(&ann.token),
        Body::Json(json!({ "now_ms": 0 })),
    );
    assert_eq!(status, 404);
}

fn main() -> std::process::ExitCode {
    let cases: &[Case] = &[
        (
            "the_alarm_sends_each_device_with_something_new_one_signed_encrypted_reminder",
            the_alarm_sends_each_device_with_something_new_one_signed_encrypted_reminder,
        ),
        (
            "bad_subscriptions_are_refused_and_only_your_own_devices_are_turned_off",
            bad_subscriptions_are_refused_and_only_your_own_devices_are_turned_off,
        ),
    ];
    run_cases(cases)
}
