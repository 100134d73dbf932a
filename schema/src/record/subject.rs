//! Subject identities (môn học và hoạt động giáo dục): a stable ASCII code for each subject and
//! activity of the 2018 general education programme, with its Vietnamese and English names.
//!
//! A record carries the code (`"toan"`) and the school's display name (`"Toán"`, or `"Tiếng Anh"`
//! for Ngoại ngữ 1). Which subjects a grade allows or requires, and how each is assessed, is a
//! Ministry rule: see [`crate::rules::curriculum`].
//!
//! Nghệ thuật (arts) is recorded as its two parts, Âm nhạc and Mĩ thuật, at every level, as the
//! học bạ forms list them (the THCS form's Nghệ thuật row is printed as those two parts).
//! Primary Tin học và Công nghệ (grades 3–5) is recorded either as its two printed parts,
//! `tin_hoc` and `cong_nghe` (the forms print "Tin học và Công nghệ (Tin học)" and "(Công
//! nghệ)"), or, in records made before issue #12, as the single `tin_hoc_va_cong_nghe`.

/// A subject or educational activity. Variant names follow the codes (Vietnamese without
/// diacritics) because that is how teachers name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Subject {
    /// `tieng_viet` — Tiếng Việt (Vietnamese language; primary).
    TiengViet,
    /// `toan` — Toán (mathematics).
    Toan,
    /// `dao_duc` — Đạo đức (ethics; primary).
    DaoDuc,
    /// `ngoai_ngu_1` — Ngoại ngữ 1 (first foreign language).
    NgoaiNgu1,
    /// `tu_nhien_va_xa_hoi` — Tự nhiên và Xã hội (nature and society; grades 1–3).
    TuNhienVaXaHoi,
    /// `lich_su_va_dia_li` — Lịch sử và Địa lí (history and geography; grades 4–9).
    LichSuVaDiaLi,
    /// `khoa_hoc` — Khoa học (science; grades 4–5).
    KhoaHoc,
    /// `tin_hoc_va_cong_nghe` — Tin học và Công nghệ (informatics and technology; grades 3–5).
    TinHocVaCongNghe,
    /// `giao_duc_the_chat` — Giáo dục thể chất (physical education).
    GiaoDucTheChat,
    /// `am_nhac` — Âm nhạc (music; part of Nghệ thuật).
    AmNhac,
    /// `mi_thuat` — Mĩ thuật (fine arts; part of Nghệ thuật).
    MiThuat,
    /// `hoat_dong_trai_nghiem` — Hoạt động trải nghiệm (experiential activities; primary).
    HoatDongTraiNghiem,
    /// `tieng_dan_toc_thieu_so` — Tiếng dân tộc thiểu số (ethnic minority language; optional in
    /// every grade, an optional row of each form).
    TiengDanTocThieuSo,
    /// `ngu_van` — Ngữ văn (Vietnamese language and literature; secondary).
    NguVan,
    /// `giao_duc_cong_dan` — Giáo dục công dân (civic education; grades 6–9).
    GiaoDucCongDan,
    /// `khoa_hoc_tu_nhien` — Khoa học tự nhiên (natural sciences; grades 6–9).
    KhoaHocTuNhien,
    /// `cong_nghe` — Công nghệ (technology; secondary, and in primary grades 3–5 the printed
    /// part (Công nghệ) of Tin học và Công nghệ).
    CongNghe,
    /// `tin_hoc` — Tin học (informatics; secondary, and in primary grades 3–5 the printed part
    /// (Tin học) of Tin học và Công nghệ).
    TinHoc,
    /// `hoat_dong_trai_nghiem_huong_nghiep` — Hoạt động trải nghiệm, hướng nghiệp (experiential
    /// and career guidance activities, HĐTN-HN; secondary).
    HoatDongTraiNghiemHuongNghiep,
    /// `noi_dung_giao_duc_dia_phuong` — Nội dung giáo dục của địa phương (local education
    /// content; secondary).
    NoiDungGiaoDucDiaPhuong,
    /// `lich_su` — Lịch sử (history; grades 10–12).
    LichSu,
    /// `dia_li` — Địa lí (geography; grades 10–12 elective).
    DiaLi,
    /// `giao_duc_kinh_te_va_phap_luat` — Giáo dục kinh tế và pháp luật (economic and legal
    /// education; grades 10–12 elective).
    GiaoDucKinhTeVaPhapLuat,
    /// `vat_li` — Vật lí (physics; grades 10–12 elective).
    VatLi,
    /// `hoa_hoc` — Hóa học (chemistry; grades 10–12 elective).
    HoaHoc,
    /// `sinh_hoc` — Sinh học (biology; grades 10–12 elective).
    SinhHoc,
    /// `giao_duc_quoc_phong_va_an_ninh` — Giáo dục quốc phòng và an ninh (national defence and
    /// security education, GDQP-AN; grades 10–12).
    GiaoDucQuocPhongVaAnNinh,
    /// `ngoai_ngu_2` — Ngoại ngữ 2 (second foreign language; optional in grades 6–12, the last
    /// optional row of the THCS and THPT forms).
    NgoaiNgu2,
}

impl Subject {
    /// Every subject, in the order the học bạ forms list them.
    pub const ALL: [Subject; 28] = [
        Subject::TiengViet,
        Subject::NguVan,
        Subject::Toan,
        Subject::NgoaiNgu1,
        Subject::DaoDuc,
        Subject::GiaoDucCongDan,
        Subject::TuNhienVaXaHoi,
        Subject::LichSuVaDiaLi,
        Subject::LichSu,
        Subject::DiaLi,
        Subject::GiaoDucKinhTeVaPhapLuat,
        Subject::KhoaHoc,
        Subject::KhoaHocTuNhien,
        Subject::VatLi,
        Subject::HoaHoc,
        Subject::SinhHoc,
        Subject::TinHocVaCongNghe,
        Subject::CongNghe,
        Subject::TinHoc,
        Subject::GiaoDucTheChat,
        Subject::AmNhac,
        Subject::MiThuat,
        Subject::HoatDongTraiNghiem,
        Subject::HoatDongTraiNghiemHuongNghiep,
        Subject::NoiDungGiaoDucDiaPhuong,
        Subject::GiaoDucQuocPhongVaAnNinh,
        Subject::TiengDanTocThieuSo,
        Subject::NgoaiNgu2,
    ];

    /// The stable ASCII code used in records (`"toan"`, `"ngoai_ngu_1"`, …).
    pub fn code(self) -> &'static str {
        match self {
            Subject::TiengViet => "tieng_viet",
            Subject::Toan => "toan",
            Subject::DaoDuc => "dao_duc",
            Subject::NgoaiNgu1 => "ngoai_ngu_1",
            Subject::TuNhienVaXaHoi => "tu_nhien_va_xa_hoi",
            Subject::LichSuVaDiaLi => "lich_su_va_dia_li",
            Subject::KhoaHoc => "khoa_hoc",
            Subject::TinHocVaCongNghe => "tin_hoc_va_cong_nghe",
            Subject::GiaoDucTheChat => "giao_duc_the_chat",
            Subject::AmNhac => "am_nhac",
            Subject::MiThuat => "mi_thuat",
            Subject::HoatDongTraiNghiem => "hoat_dong_trai_nghiem",
            Subject::TiengDanTocThieuSo => "tieng_dan_toc_thieu_so",
            Subject::NguVan => "ngu_van",
            Subject::GiaoDucCongDan => "giao_duc_cong_dan",
            Subject::KhoaHocTuNhien => "khoa_hoc_tu_nhien",
            Subject::CongNghe => "cong_nghe",
            Subject::TinHoc => "tin_hoc",
            Subject::HoatDongTraiNghiemHuongNghiep => "hoat_dong_trai_nghiem_huong_nghiep",
            Subject::NoiDungGiaoDucDiaPhuong => "noi_dung_giao_duc_dia_phuong",
            Subject::LichSu => "lich_su",
            Subject::DiaLi => "dia_li",
            Subject::GiaoDucKinhTeVaPhapLuat => "giao_duc_kinh_te_va_phap_luat",
            Subject::VatLi => "vat_li",
            Subject::HoaHoc => "hoa_hoc",
            Subject::SinhHoc => "sinh_hoc",
            Subject::GiaoDucQuocPhongVaAnNinh => "giao_duc_quoc_phong_va_an_ninh",
            Subject::NgoaiNgu2 => "ngoai_ngu_2",
        }
    }

    /// The subject with this code, if any.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The subject's name in the programme, in Vietnamese.
    pub fn name_vi(self) -> &'static str {
        match self {
            Subject::TiengViet => "Tiếng Việt",
            Subject::Toan => "Toán",
            Subject::DaoDuc => "Đạo đức",
            Subject::NgoaiNgu1 => "Ngoại ngữ 1",
            Subject::TuNhienVaXaHoi => "Tự nhiên và Xã hội",
            Subject::LichSuVaDiaLi => "Lịch sử và Địa lí",
            Subject::KhoaHoc => "Khoa học",
            Subject::TinHocVaCongNghe => "Tin học và Công nghệ",
            Subject::GiaoDucTheChat => "Giáo dục thể chất",
            Subject::AmNhac => "Âm nhạc",
            Subject::MiThuat => "Mĩ thuật",
            Subject::HoatDongTraiNghiem => "Hoạt động trải nghiệm",
            Subject::TiengDanTocThieuSo => "Tiếng dân tộc thiểu số",
            Subject::NguVan => "Ngữ văn",
            Subject::GiaoDucCongDan => "Giáo dục công dân",
            Subject::KhoaHocTuNhien => "Khoa học tự nhiên",
            Subject::CongNghe => "Công nghệ",
            Subject::TinHoc => "Tin học",
            Subject::HoatDongTraiNghiemHuongNghiep => "Hoạt động trải nghiệm, hướng nghiệp",
            Subject::NoiDungGiaoDucDiaPhuong => "Nội dung giáo dục của địa phương",
            Subject::LichSu => "Lịch sử",
            Subject::DiaLi => "Địa lí",
            Subject::GiaoDucKinhTeVaPhapLuat => "Giáo dục kinh tế và pháp luật",
            Subject::VatLi => "Vật lí",
            Subject::HoaHoc => "Hóa học",
            Subject::SinhHoc => "Sinh học",
            Subject::GiaoDucQuocPhongVaAnNinh => "Giáo dục quốc phòng và an ninh",
            Subject::NgoaiNgu2 => "Ngoại ngữ 2",
        }
    }

    /// The subject's name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            Subject::TiengViet => "Vietnamese",
            Subject::Toan => "Mathematics",
            Subject::DaoDuc => "Ethics",
            Subject::NgoaiNgu1 => "First foreign language",
            Subject::TuNhienVaXaHoi => "Nature and society",
            Subject::LichSuVaDiaLi => "History and geography",
            Subject::KhoaHoc => "Science",
            Subject::TinHocVaCongNghe => "Informatics and technology",
            Subject::GiaoDucTheChat => "Physical education",
            Subject::AmNhac => "Music",
            Subject::MiThuat => "Fine arts",
            Subject::HoatDongTraiNghiem => "Experiential activities",
            Subject::TiengDanTocThieuSo => "Ethnic minority language",
            Subject::NguVan => "Literature",
            Subject::GiaoDucCongDan => "Civic education",
            Subject::KhoaHocTuNhien => "Natural sciences",
            Subject::CongNghe => "Technology",
            Subject::TinHoc => "Informatics",
            Subject::HoatDongTraiNghiemHuongNghiep => "Experiential and career guidance activities",
            Subject::NoiDungGiaoDucDiaPhuong => "Local education content",
            Subject::LichSu => "History",
            Subject::DiaLi => "Geography",
            Subject::GiaoDucKinhTeVaPhapLuat => "Economic and legal education",
            Subject::VatLi => "Physics",
            Subject::HoaHoc => "Chemistry",
            Subject::SinhHoc => "Biology",
            Subject::GiaoDucQuocPhongVaAnNinh => "National defence and security education",
            Subject::NgoaiNgu2 => "Second foreign language",
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_ascii_and_round_trip() {
        let mut seen = HashSet::new();
        for s in Subject::ALL {
            let code = s.code();
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code}"
            );
            assert!(seen.insert(code), "duplicate {code}");
            assert_eq!(Subject::from_code(code), Some(s));
        }
        assert_eq!(Subject::from_code("Toan"), None);
    }
}
