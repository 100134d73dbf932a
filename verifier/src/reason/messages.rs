//! The plain-words explanation of each reason, in Vietnamese and English.

use super::{Message, Reason};

impl Reason {
    /// The plain-words explanation.
    pub fn message(self) -> Message {
        use Reason::*;
        let (vi, en) = match self {
            NotSigned => ("Tài liệu không có chữ ký.", "The document is not signed."),
            MalformedProof => (
                "Phần chữ ký bị hỏng hoặc thiếu thông tin.",
                "The signature block is damaged or incomplete.",
            ),
            WrongProofType => (
                "Phần chữ ký không thuộc loại DataIntegrityProof.",
                "The signature is not a Data Integrity proof.",
            ),
            WrongCryptosuite => (
                "Chữ ký dùng phương pháp mà trình kiểm tra này không chấp nhận (sai bộ mật mã).",
                "The signature uses a method this verifier does not accept (wrong cryptosuite).",
            ),
            WrongProofPurpose => (
                "Chữ ký không được tạo ra để xác nhận hồ sơ (sai mục đích chữ ký).",
                "The signature was not made to vouch for a record (wrong proof purpose).",
            ),
            ProofContextMismatch => (
                "Ngữ cảnh (@context) của chữ ký không khớp với tài liệu: nội dung đã bị thay đổi.",
                "The signature's context (@context) does not match the document's: the content was changed.",
            ),
            NonCanonicalSignature => (
                "Chữ ký không ở dạng chuẩn duy nhất (chữ ký đã bị biến đổi) nên bị từ chối.",
                "The signature is not in its one accepted form (a malleable, altered signature) and is refused.",
            ),
            WeakKey => (
                "Khóa ký là khóa yếu, không chứng minh được điều gì.",
                "The signing key is a weak (small-order) key that proves nothing.",
            ),
            SignatureMismatch => (
                "Chữ ký không khớp: nội dung đã bị thay đổi hoặc được ký bằng khóa khác.",
                "The signature does not match: the content was changed or signed by another key.",
            ),
            UntrustedIssuer => (
                "Trường cấp tài liệu này không có trong danh sách tin cậy.",
                "The school that issued this is not in the trust list.",
            ),
            UnknownKey => (
                "Khóa đã ký tài liệu này không có trong danh sách tin cậy.",
                "The key that signed this is not in the trust list.",
            ),
            KeyOfAnotherSchool => (
                "Khóa đã ký tài liệu này thuộc về một trường khác, không phải trường cấp.",
                "The key that signed this belongs to another school than the issuer.",
            ),
            SchoolCodeMismatch => (
                "Mã trường trong hồ sơ không phải mã của trường đã ký.",
                "The school code in the record is not the code of the school that signed it.",
            ),
            ProvinceNotInNationalList => (
                "Trường này thuộc một tỉnh/thành phố không có trong danh sách tin cậy quốc gia của Bộ GD&ĐT.",
                "This school belongs to a province that is not in the Ministry's national trust list.",
            ),
            SchoolListedByWrongProvince => (
                "Trường này được một Sở GD&ĐT không quản lý trường đưa vào danh sách (sai tỉnh theo mã trường).",
                "This school is listed by a Department of Education that does not answer for it (wrong province for its school code).",
            ),
            ProvinceListSignedByOtherProvince => (
                "Danh sách tin cậy của tỉnh được ký bằng khóa của một Sở GD&ĐT tỉnh khác.",
                "The province's trust list was signed with another province's key.",
            ),
            ProvinceListRejected => (
                "Danh sách tin cậy của tỉnh không được ký hợp lệ bằng khóa của Sở GD&ĐT tỉnh đó.",
                "The province's trust list is not validly signed with a key of that province's Department.",
            ),
            InvalidTrustedKey => (
                "Không đọc được khóa này trong danh sách tin cậy.",
                "The trust list's entry for this key cannot be read.",
            ),
            CompromisedKey => (
                "Được ký bằng khóa đã bị lộ: mọi chữ ký bằng khóa này đều không có giá trị.",
                "Signed by a compromised key: nothing signed with this key counts.",
            ),
            RetiredKeyAfterRetirement => (
                "Được ký bằng khóa đã ngừng sử dụng, sau ngày ngừng sử dụng.",
                "Signed with a retired key after the date it was retired.",
            ),
            SignedAfterKeyValidity => (
                "Được ký sau khi khóa đã hết hiệu lực.",
                "Signed after the key's validity ended.",
            ),
            SignedBeforeKeyValid => (
                "Được ký trước thời điểm khóa bắt đầu có hiệu lực.",
                "Signed before the key became valid.",
            ),
            ProvinceCompromised => (
                "Khóa của Sở GD&ĐT bảo đảm cho trường này đã bị lộ trước thời điểm ký: không thể tin chữ ký.",
                "The Department key that vouches for this school was compromised before the signing time: the signature cannot be trusted.",
            ),
            NotYetValid => (
                "Hồ sơ chưa có hiệu lực (ngày bắt đầu hiệu lực ở tương lai).",
                "The record is not valid yet (its start date is in the future).",
            ),
            Expired => ("Hồ sơ đã hết hiệu lực.", "The record has expired."),
            ProofCreatedInFuture => (
                "Chữ ký ghi ngày ở tương lai.",
                "The signature is dated in the future.",
            ),
            ProofExpired => (
                "Chữ ký đã quá thời hạn sử dụng ghi trong chữ ký; hãy đề nghị nhà trường cấp lại bản có chữ ký mới.",
                "The signature is past the expiry date written in it; ask the school for a newly signed copy.",
            ),
            NoStatusEntry => (
                "Hồ sơ không có thông tin trạng thái thu hồi nên chưa kiểm tra việc thu hồi.",
                "The record has no revocation entry, so revocation was not checked.",
            ),
            StatusNotChecked => (
                "Chưa kiểm tra việc thu hồi: không có danh sách trạng thái để đối chiếu.",
                "Revocation was not checked: no status list was given to check it against.",
            ),
            Revoked => (
                "Hồ sơ đã bị nhà trường thu hồi.",
                "The record has been revoked by the school.",
            ),
            StatusEntryMalformed => (
                "Thông tin trạng thái thu hồi trong hồ sơ bị sai.",
                "The record's revocation entry is malformed.",
            ),
            StatusListUnavailable => (
                "Không rõ hồ sơ có bị thu hồi hay không: không có danh sách trạng thái của trường.",
                "Revocation status unknown: the school's status list is not available.",
            ),
            StatusListMalformed => (
                "Không rõ hồ sơ có bị thu hồi hay không: không đọc được danh sách trạng thái.",
                "Revocation status unknown: the status list cannot be read.",
            ),
            StatusListStale => (
                "Không rõ hồ sơ có bị thu hồi hay không: danh sách trạng thái đã quá cũ.",
                "Revocation status unknown: the status list is too old.",
            ),
            StatusListSignatureInvalid => (
                "Chữ ký của danh sách trạng thái thu hồi không hợp lệ.",
                "The status list's signature is not valid.",
            ),
            StatusListSignedByOtherKey => (
                "Danh sách trạng thái thu hồi không được ký bằng khóa của trường cấp hồ sơ.",
                "The status list was not signed with the issuing school's key.",
            ),
            StatusListKeyNotValid => (
                "Danh sách trạng thái thu hồi được ký bằng khóa không còn hiệu lực hoặc đã bị lộ.",
                "The status list was signed with a key that was not valid or is compromised.",
            ),
            StatusListOfAnotherSchool => (
                "Danh sách trạng thái thu hồi thuộc về một trường khác.",
                "The status list belongs to another school.",
            ),
            StatusListAfterProvinceCompromise => (
                "Không rõ hồ sơ có bị thu hồi hay không: danh sách trạng thái được ký sau khi khóa của Sở GD&ĐT bảo đảm cho trường bị lộ. Hãy kiểm tra lại khi Sở đã ký lại danh sách tin cậy bằng khóa mới.",
                "Revocation status unknown: the status list was signed after the Department key that vouches for the school was compromised. Check again once the Department has signed its trust list with a new key.",
            ),
            NotNfc => (
                "Một đoạn chữ trong tài liệu không ở dạng Unicode chuẩn (NFC), trong khi hồ sơ đã ký luôn ở dạng này.",
                "A text in the document is not in the standard Unicode form (NFC) that signed records always use.",
            ),
            NumberOutOfRange => (
                "Một con số trong tài liệu quá lớn để được ký an toàn.",
                "A number in the document is too large to be signed safely.",
            ),
            MalformedEnvelope => (
                "Tài liệu không phải là học bạ số đầy đủ (thiếu hoặc sai một trường bắt buộc).",
                "The document is not a complete digital school record (a required field is missing or wrong).",
            ),
            WrongContext => (
                "Tài liệu không khai báo đúng định dạng học bạ số (@context).",
                "The document does not declare the digital school record format (@context).",
            ),
            WrongType => (
                "Tài liệu không phải là học bạ số (type).",
                "The document is not a digital school record credential (type).",
            ),
            TrustListStale => (
                "Danh sách tin cậy đã quá hạn cập nhật; hãy tải bản mới.",
                "The trust list is out of date (its next update was due); get a newer one.",
            ),
            TrustListTooOld => (
                "Danh sách tin cậy cũ hơn thời hạn tối đa cho phép.",
                "The trust list is older than the maximum age allowed.",
            ),
            TrustListNotYetValid => (
                "Danh sách tin cậy ghi ngày ở tương lai; hãy kiểm tra đồng hồ của máy.",
                "The trust list is dated in the future; check this computer's clock.",
            ),
            TrustListSignatureInvalid => (
                "Chữ ký của danh sách tin cậy không hợp lệ.",
                "The trust list's signature is not valid.",
            ),
            TrustListSignedByOtherKey => (
                "Danh sách tin cậy không được ký bằng khóa của cơ quan quản lý giáo dục.",
                "The trust list was not signed with the education authority's key.",
            ),
            TrustListUnsigned => (
                "Danh sách tin cậy không được ký đúng cách.",
                "The trust list is not properly signed.",
            ),
            TrustListMalformed => (
                "Không đọc được nội dung danh sách tin cậy.",
                "The trust list's content cannot be read.",
            ),
            DependsOnFailedCheck => (
                "Chưa kiểm tra vì một bước kiểm tra trước đó không thành công.",
                "Not checked because an earlier check did not succeed.",
            ),
            NoTrustedKey => (
                "Chưa kiểm tra: không có khóa tin cậy để đối chiếu chữ ký.",
                "Not checked: there is no trusted key to check the signature against.",
            ),
            NoTrustList => (
                "Chưa kiểm tra: không có danh sách tin cậy hợp lệ.",
                "Not checked: there is no valid trust list.",
            ),
            PdfUnsigned => (
                "Bản thân tệp PDF không có chữ ký số PAdES; hồ sơ được xác minh bằng tệp hồ sơ đã ký đính kèm.",
                "The PDF itself carries no PAdES signature; the record is verified by its embedded signed file.",
            ),
            PdfSignatureMalformed => (
                "Không đọc được một chữ ký số trong tệp PDF (chữ ký bị hỏng hoặc không đúng chuẩn PAdES). Hãy xin nhà trường bản PDF gốc.",
                "A signature in the PDF cannot be read (damaged, or not a PAdES signature). Ask the school for the original PDF.",
            ),
            PdfSignatureMismatch => (
                "Chữ ký số trong tệp PDF không khớp: nội dung tệp đã bị sửa sau khi ký.",
                "A signature in the PDF does not match: the file was changed after it was signed.",
            ),
            PdfByteRangeIncomplete => (
                "Chữ ký số không bao trùm toàn bộ tệp PDF: có phần nội dung không được ký.",
                "A signature does not cover the whole PDF: part of the content is not signed.",
            ),
            PdfModifiedAfterSigning => (
                "Tệp PDF đã bị thêm hoặc sửa nội dung (trang, chữ) sau khi ký.",
                "The PDF had content (pages, text) added or changed after it was signed.",
            ),
            PdfCertificateUntrusted => (
                "Chứng thư số của người ký không do tổ chức chứng thực tin cậy cấp.",
                "The signer's certificate was not issued by the trusted certification authority.",
            ),
            PdfCertificateNotValidAtSigning => (
                "Chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực vào thời điểm ký.",
                "The signer's certificate had expired or was not yet valid when it signed.",
            ),
            PdfSealNotBound => (
                "Con dấu số trên tệp PDF không phải chứng thư số mà danh sách tin cậy đăng ký cho trường đã cấp hồ sơ.",
                "The PDF's seal is not the certificate the trust list registers for the school that issued the record.",
            ),
            PdfDevelopmentCertificate => (
                "Tệp PDF được ký bằng chứng thư thử nghiệm: BẢN THỬ NGHIỆM, không có giá trị pháp lý.",
                "The PDF is signed with development certificates: a TEST copy with no legal value.",
            ),
            PdfRootNotGiven => (
                "Chưa kiểm tra chuỗi chứng thư: chưa cấu hình chứng thư gốc (--pki-root).",
                "Certificate chains not checked: no root certificate was configured (--pki-root).",
            ),
        };
        Message { vi, en }
    }
}
