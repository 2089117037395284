//! Golden bytes of the attachments' records (schema 5): written once from this build's
//! encoding and never to change. A new variant does not compile until [`golden`] has a
//! vector for it (the match has no wildcard).

use super::file_records::*;
use super::records::{decode, encode};
use super::values::StoredAuthorKind;

/// Every attachment record variant, by kind.
enum Sample {
    File(FileRecord),
    Upload(UploadRecord),
    Attachment(AttachmentRecord),
}

fn golden(sample: &Sample) -> &'static str {
    match sample {
        Sample::File(FileRecord::V1(_)) => "00ac0209696d6167652f706e6702c0c48a94a034",
        Sample::Upload(UploadRecord::V1(_)) => {
            "000007cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd07626f782e706e6709696d6167652f706e67ac02e807"
        }
        Sample::Attachment(AttachmentRecord::V1(_)) => {
            "000c03cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd07626f782e706e6709696d6167652f706e67ac02"
        }
    }
}

fn samples() -> Vec<Sample> {
    vec![
        Sample::File(FileRecord::V1(FileV1 {
            size: 300,
            content_type: "image/png".into(),
            refs: 2,
            created_ms: 1_795_338_445_376,
        })),
        Sample::Upload(UploadRecord::V1(UploadV1 {
            owner_kind: StoredAuthorKind::Visitor,
            owner_id: 7,
            digest: [0xcd; 32],
            name: "box.png".into(),
            content_type: "image/png".into(),
            size: 300,
            created_ms: 1000,
        })),
        Sample::Attachment(AttachmentRecord::V1(AttachmentV1 {
            conversation: 12,
            seq: 3,
            digest: [0xcd; 32],
            name: "box.png".into(),
            content_type: "image/png".into(),
            size: 300,
        })),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn encode_and_check(sample: &Sample) -> Vec<u8> {
    match sample {
        Sample::File(r) => {
            let bytes = encode(r);
            assert_eq!(&decode::<FileRecord>(&bytes, "files").expect("decodes"), r);
            bytes
        }
        Sample::Upload(r) => {
            let bytes = encode(r);
            assert_eq!(
                &decode::<UploadRecord>(&bytes, "uploads").expect("decodes"),
                r
            );
            bytes
        }
        Sample::Attachment(r) => {
            let bytes = encode(r);
            let back = decode::<AttachmentRecord>(&bytes, "attachments").expect("decodes");
            assert_eq!(&back, r);
            bytes
        }
    }
}

#[test]
fn attachment_records_encode_to_their_golden_bytes() {
    for sample in samples() {
        assert_eq!(hex(&encode_and_check(&sample)), golden(&sample));
    }
}
