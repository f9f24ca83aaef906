//! The unified social credit code (统一社会信用代码) check character, GB 32100-2015.

const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UsccError {
    Length(usize),
    /// Position (1-based) and the character that is not allowed.
    BadChar(usize, char),
    /// The expected check character.
    Check(char),
}

/// Validates `code`; on a wrong check character, says which one was expected.
pub(crate) fn check(code: &str) -> Result<(), UsccError> {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(UsccError::Length(chars.len()));
    }
    let mut sum = 0u32;
    for (i, c) in chars.iter().enumerate() {
        let Some(v) = CHARS.find(*c) else {
            return Err(UsccError::BadChar(i + 1, *c));
        };
        if i < 17 {
            sum += v as u32 * WEIGHTS[i];
        }
    }
    let expected = (31 - sum % 31) % 31;
    let expected = CHARS.as_bytes()[expected as usize] as char;
    if chars[17] == expected {
        Ok(())
    } else {
        Err(UsccError::Check(expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_example() {
        assert_eq!(check("9144030071526726XG"), Ok(()));
    }

    #[test]
    fn wrong_check_character_names_expected() {
        assert_eq!(check("9144030071526726XA"), Err(UsccError::Check('G')));
    }

    #[test]
    fn bad_shapes() {
        assert_eq!(check("123"), Err(UsccError::Length(3)));
        assert_eq!(
            check("9144030071526726IG"),
            Err(UsccError::BadChar(17, 'I'))
        );
    }
}
