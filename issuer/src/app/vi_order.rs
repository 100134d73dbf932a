//! Vietnamese alphabetical order, as a class list is read: letters in the order of the
//! Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), tone marks
//! compared only when the letters are the same (none, huyền, hỏi, ngã, sắc, nặng), case
//! aside. Byte or code-point order would put every name starting with `Á`, `Đ` or `Ư` after
//! `Z` ("Đinh Thị Ngọc Ánh" after "Hà Văn Dũng").

use unicode_normalization::UnicodeNormalization;

/// A sort key: the letters, then the tones.
pub type SortKey = (Vec<u32>, Vec<u8>);

/// The key that sorts `text` in Vietnamese order: letters first, then tones.
pub fn sort_key(text: &str) -> SortKey {
    let mut letters: Vec<u32> = Vec::with_capacity(text.len());
    let mut tones: Vec<u8> = Vec::with_capacity(text.len());
    for c in text.to_lowercase().nfd() {
        match c {
            // Letter modifiers: breve (ă), circumflex (â ê ô), horn (ơ ư).
            '\u{306}' | '\u{302}' | '\u{31B}' => {
                if let Some(last) = letters.last_mut() {
                    *last += match c {
                        '\u{306}' => 1,
                        '\u{302}' => 2,
                        _ => 3,
                    };
                }
            }
            // Tones: huyền, hỏi, ngã, sắc, nặng.
            '\u{300}' => set_tone(&mut tones, 1),
            '\u{309}' => set_tone(&mut tones, 2),
            '\u{303}' => set_tone(&mut tones, 3),
            '\u{301}' => set_tone(&mut tones, 4),
            '\u{323}' => set_tone(&mut tones, 5),
            'đ' => {
                letters.push(u32::from('d') * 4 + 1);
                tones.push(0);
            }
            other => {
                letters.push(u32::from(other) * 4);
                tones.push(0);
            }
        }
    }
    (letters, tones)
}

fn set_tone(tones: &mut [u8], tone: u8) {
    if let Some(last) = tones.last_mut() {
        *last = tone;
    }
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn vietnamese_letters_and_tones_sort_as_the_alphabet_says() {
        let mut names = vec![
            "Ánh", "Bình", "Anh", "Đức", "Dũng", "Ân", "Ăn", "Ưng", "Uyên", "Vy",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "Anh", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Uyên", "Ưng", "Vy"
            ]
        );
    }
}
