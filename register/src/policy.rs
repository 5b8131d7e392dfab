//! What the organisation has decided for its whole register, kept in one record with the
//! same id on every device (two admins deciding offline edit one record; the later edit
//! wins). For now one decision: whether a photo's position is kept with its evidence. The
//! bytes of a photo never keep it (they are drawn again without metadata); when the policy
//! says so, the position read from the original goes into the Evidence record, where
//! everyone can see it and the log vouches for it.

use crate::{
    Kind, RecordId, Replica,
    rules::{RecordRule, Subject},
    views::{Evidence, Policy},
};
use exif::{In, Reader, Tag, Value};

/// The values of `Policy::photo_location`.
pub const STRIP: &str = "strip";
pub const KEEP: &str = "keep";

/// The id of the organisation's policy record.
pub fn id() -> RecordId {
    RecordId::derived("policy", "organisation")
}

/// Whether the organisation keeps where its photos were taken. Until someone decides, it
/// does not: a position says where people were.
pub fn keeps_photo_location(register: &Replica) -> bool {
    register
        .view::<Policy>(id())
        .is_some_and(|p| keeps(p.photo_location.as_deref(), p.deleted))
}

/// The decision, from the policy record's `photo_location` and whether it is deleted.
pub fn keeps(photo_location: Option<&str>, deleted: bool) -> bool {
    !deleted && photo_location == Some(KEEP)
}

/// The same decision as a rule reads it: the policy record as the change set leaves it.
fn keeps_in(s: &Subject) -> bool {
    let deleted = s
        .after
        .field(id(), crate::schema::DELETED)
        .and_then(|v| v.as_bool())
        == Some(true);
    keeps(Some(&s.other(id(), Policy::photo_location)), deleted)
}

/// A position is written on evidence only where the organisation keeps them, and only as
/// a position: alike on every device and on the server, whoever pushes it.
pub const RULES: &[RecordRule] = &[RecordRule {
    kind: Kind::Evidence,
    fields: &[Evidence::coordinates],
    field: Evidence::coordinates,
    message: "This organisation does not keep where photos were taken (Organisation → Policies), and a position is written as “latitude, longitude” in degrees.",
    holds: |s| {
        let position = s.text(Evidence::coordinates);
        position.is_empty() || (keeps_in(s) && Position::parse(&position).is_some())
    },
}];

/// Why an uploaded file is refused for what its metadata says, if it is: where the
/// organisation does not keep photo locations, an image still carrying a GPS position (the
/// app draws every photo again without one; this holds a file sent any other way to it).
pub fn upload_refusal(file: &[u8], keeps_location: bool) -> Option<&'static str> {
    (!keeps_location && carries_location(file)).then_some(
        "This image carries where it was taken, and this organisation does not keep that: remove its location (GPS) data and upload it again.",
    )
}

/// Whether a file holds EXIF GPS position tags, sensible or not.
pub fn carries_location(file: &[u8]) -> bool {
    Reader::new()
        .read_from_container(&mut std::io::Cursor::new(file))
        .is_ok_and(|exif| {
            [Tag::GPSLatitude, Tag::GPSLongitude]
                .iter()
                .any(|&tag| exif.get_field(tag, In::PRIMARY).is_some())
        })
}

/// Where a photo was taken, in degrees (north and east positive).
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
}

impl Position {
    /// As the Evidence record keeps it: `51.50070, -0.12460` (about a metre).
    pub fn field_value(self) -> String {
        format!("{:.5}, {:.5}", self.latitude, self.longitude)
    }

    /// A position as the Evidence record keeps it, if `text` is one on the globe.
    pub fn parse(text: &str) -> Option<Position> {
        let (latitude, longitude) = text.split_once(',')?;
        let (latitude, longitude): (f64, f64) = (
            latitude.trim().parse().ok()?,
            longitude.trim().parse().ok()?,
        );
        (latitude.abs() <= 90.0 && longitude.abs() <= 180.0).then_some(Position {
            latitude,
            longitude,
        })
    }
}

/// The position a photo's EXIF GPS tags give, if it has them and they make sense.
pub fn photo_position(photo: &[u8]) -> Option<Position> {
    let exif = Reader::new()
        .read_from_container(&mut std::io::Cursor::new(photo))
        .ok()?;
    let degrees = |tag: Tag, reference: Tag, negative: u8| {
        let Value::Rational(parts) = &exif.get_field(tag, In::PRIMARY)?.value else {
            return None;
        };
        let [d, m, s] = parts.as_slice() else {
            return None;
        };
        if [d, m, s].iter().any(|r| r.denom == 0) {
            return None;
        }
        let value = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
        let sign = match &exif.get_field(reference, In::PRIMARY)?.value {
            Value::Ascii(texts) if texts.first()?.first() == Some(&negative) => -1.0,
            Value::Ascii(_) => 1.0,
            _ => return None,
        };
        Some(sign * value)
    };
    let latitude = degrees(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S')?;
    let longitude = degrees(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W')?;
    (latitude.abs() <= 90.0 && longitude.abs() <= 180.0).then_some(Position {
        latitude,
        longitude,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Kind, Value as FieldValue, sync::Device, views};
    use exif::{Field, Rational, experimental::Writer};

    /// A JPEG's first bytes with an EXIF segment holding these GPS fields.
    fn photo_with(fields: &[Field]) -> Vec<u8> {
        let mut writer = Writer::new();
        for field in fields {
            writer.push_field(field);
        }
        let mut tiff = std::io::Cursor::new(Vec::new());
        writer.write(&mut tiff, false).unwrap();
        let segment = [b"Exif\0\0".as_slice(), tiff.get_ref()].concat();
        let length = u16::try_from(segment.len() + 2).unwrap().to_be_bytes();
        [
            &[0xff, 0xd8, 0xff, 0xe1],
            &length[..],
            &segment,
            &[0xff, 0xd9],
        ]
        .concat()
    }

    fn gps(tag: Tag, value: Value) -> Field {
        Field {
            tag,
            ifd_num: In::PRIMARY,
            value,
        }
    }

    fn dms(d: u32, m: u32, s_hundredths: u32) -> Value {
        Value::Rational(vec![
            Rational { num: d, denom: 1 },
            Rational { num: m, denom: 1 },
            Rational {
                num: s_hundredths,
                denom: 100,
            },
        ])
    }

    fn reference(letter: &str) -> Value {
        Value::Ascii(vec![letter.as_bytes().to_vec()])
    }

    /// Big Ben: 51° 30′ 2.52″ N, 0° 7′ 28.56″ W.
    fn big_ben() -> Vec<Field> {
        vec![
            gps(Tag::GPSLatitudeRef, reference("N")),
            gps(Tag::GPSLatitude, dms(51, 30, 252)),
            gps(Tag::GPSLongitudeRef, reference("W")),
            gps(Tag::GPSLongitude, dms(0, 7, 2856)),
        ]
    }

    #[test]
    fn a_photos_gps_tags_give_its_position_south_and_west_negative() {
        let position = photo_position(&photo_with(&big_ben())).unwrap();
        assert_eq!(position.field_value(), "51.50070, -0.12460");
        let south_east = [
            gps(Tag::GPSLatitudeRef, reference("S")),
            gps(Tag::GPSLatitude, dms(33, 51, 3600)),
            gps(Tag::GPSLongitudeRef, reference("E")),
            gps(Tag::GPSLongitude, dms(151, 12, 4000)),
        ];
        let sydney = photo_position(&photo_with(&south_east)).unwrap();
        assert!(sydney.latitude < -33.85 && sydney.latitude > -33.87);
        assert!(sydney.longitude > 151.2);
    }

    #[test]
    fn no_position_without_gps_tags_or_with_nonsense_in_them() {
        assert_eq!(photo_position(b"\xff\xd8\xff\xd9"), None);
        assert_eq!(photo_position(b"not a photo"), None);
        let no_longitude = &big_ben()[..2];
        assert_eq!(photo_position(&photo_with(no_longitude)), None);
        let mut beyond_the_pole = big_ben();
        beyond_the_pole[1] = gps(Tag::GPSLatitude, dms(91, 0, 0));
        assert_eq!(photo_position(&photo_with(&beyond_the_pole)), None);
        let mut zero_denominator = big_ben();
        zero_denominator[1] = gps(
            Tag::GPSLatitude,
            Value::Rational(vec![Rational { num: 51, denom: 0 }; 3]),
        );
        assert_eq!(photo_position(&photo_with(&zero_denominator)), None);
    }

    #[test]
    fn a_position_is_written_on_evidence_only_where_the_policy_keeps_it_and_only_as_one() {
        let mut device = Device::new(ClientId::new());
        let evidence = crate::RecordId::new();
        let spec = Kind::Evidence.spec();
        let at = |text: &str| [(views::Evidence::coordinates, FieldValue::from(text))];
        let refused = |device: &Device, text: &str| {
            spec.check_change(evidence, &at(text), &device.local)
                .is_err()
        };
        assert!(
            refused(&device, "51.50070, -0.12460"),
            "no policy: stripped"
        );
        device.edit(
            id(),
            Kind::Policy,
            views::Policy::photo_location,
            FieldValue::from(STRIP),
            1,
        );
        assert!(refused(&device, "51.50070, -0.12460"));
        device.edit(
            id(),
            Kind::Policy,
            views::Policy::photo_location,
            FieldValue::from(KEEP),
            2,
        );
        assert!(!refused(&device, "51.50070, -0.12460"));
        for nonsense in ["the car park", "91, 0", "51.5", "0, 181"] {
            assert!(refused(&device, nonsense), "{nonsense}");
        }
        assert!(!refused(&device, ""), "a position may always be removed");
        device.edit(
            id(),
            Kind::Policy,
            crate::schema::DELETED,
            FieldValue::Bool(true),
            3,
        );
        assert!(
            refused(&device, "51.50070, -0.12460"),
            "a deleted policy keeps nothing"
        );
    }

    #[test]
    fn an_image_carrying_a_position_is_refused_where_the_policy_strips_it() {
        let located = photo_with(&big_ben());
        assert!(carries_location(&located));
        assert!(upload_refusal(&located, false).is_some());
        assert_eq!(upload_refusal(&located, true), None);
        // The integration test's photo, written by hand: a latitude and nothing more.
        let by_hand = "ffd8ffe1005845786966000049492a0008000000010025880400010000001a00000000000000020001000200020000004e0000000200050003000000380000000000000033000000010000001e00000001000000fc00000064000000ffd9";
        let by_hand: Vec<u8> = (0..by_hand.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&by_hand[at..at + 2], 16).unwrap())
            .collect();
        assert!(carries_location(&by_hand));
        let half = photo_with(&big_ben()[..2]);
        assert!(carries_location(&half), "a latitude alone says where, too");
        assert_eq!(upload_refusal(b"\xff\xd8\xff\xd9", false), None);
        assert_eq!(upload_refusal(b"%PDF-1.7", false), None);
    }

    #[test]
    fn photo_location_is_kept_only_once_the_organisation_says_so() {
        let mut device = Device::new(ClientId::new());
        assert!(
            !keeps_photo_location(&device.local),
            "the default strips it"
        );
        for (at, decision, keeps) in [(1, KEEP, true), (2, STRIP, false)] {
            let field = views::Policy::photo_location;
            device.edit(id(), Kind::Policy, field, FieldValue::from(decision), at);
            assert_eq!(keeps_photo_location(&device.local), keeps);
        }
    }
}
