//! Vietnamese names and stock comments for synthetic records.

use super::Rng;

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Quách", "Hà", "Lương",
];
const MIDDLE_MALE: &[&str] = &["Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Gia", "Anh"];
const MIDDLE_FEMALE: &[&str] = &[
    "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Khánh", "Bảo", "Phương",
];
const GIVEN_MALE: &[&str] = &[
    "An", "Bảo", "Dũng", "Hùng", "Khang", "Long", "Nam", "Phúc", "Quân", "Tuấn", "Việt", "Hiếu",
    "Đạt", "Huy", "Khôi", "Sơn",
];
const GIVEN_FEMALE: &[&str] = &[
    "Anh", "Chi", "Hà", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Thảo", "Trang", "Vy",
    "Yến", "Ánh", "Diệp", "Quỳnh",
];
const PLACES: &[&str] = &[
    "Hoa Ban",
    "Kim Đồng",
    "Lê Lợi",
    "Quang Trung",
    "Chu Văn An",
    "Nguyễn Trãi",
    "Hòa Bình",
    "Sông Đà",
    "Tân Hòa",
    "Thống Nhất",
    "Võ Thị Sáu",
    "Trần Phú",
];

/// Subject comments (primary).
pub(super) const SUBJECT_COMMENTS: [&str; 4] = [
    "Nắm vững kiến thức, vận dụng tốt vào bài tập.",
    "Hoàn thành các nội dung học tập, tích cực phát biểu.",
    "Hiểu bài, cần cẩn thận hơn khi trình bày.",
    "Chăm chỉ, tiến bộ rõ rệt trong học kì II.",
];

/// Homeroom teacher's comments by ability.
pub(super) const TEACHER_COMMENTS: [&str; 3] = [
    "Em chăm ngoan, học tập tốt, tích cực tham gia các hoạt động của lớp.",
    "Em ngoan, có ý thức học tập, cần mạnh dạn hơn trong các hoạt động.",
    "Em có cố gắng, cần chú ý nghe giảng và ôn bài thường xuyên hơn.",
];

/// A full name and its family name.
pub(super) fn full_name(rng: &mut Rng, female: bool) -> (String, &'static str) {
    let family = rng.pick(FAMILY);
    let (middle, given) = if female {
        (rng.pick(MIDDLE_FEMALE), rng.pick(GIVEN_FEMALE))
    } else {
        (rng.pick(MIDDLE_MALE), rng.pick(GIVEN_MALE))
    };
    (format!("{family} {middle} {given}"), family)
}

/// A male middle and given name.
pub(super) fn given_male(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(MIDDLE_MALE), rng.pick(GIVEN_MALE))
}

/// The name of the `n`-th school.
pub(super) fn school_name(n: usize) -> String {
    let place = PLACES.get(n % PLACES.len()).copied().unwrap_or("Hòa Bình");
    if n < PLACES.len() {
        place.to_owned()
    } else {
        format!("{place} số {}", n / PLACES.len() + 1)
    }
}
