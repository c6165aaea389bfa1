//! Numbers as CSV text without the formatting machinery: `f64` exactly as
//! its `Display` writes it (the shortest digits that read back to the same
//! value, in plain decimal notation), from `ryu`'s shortest digits (Adams
//! 2018, "Ryu: fast float-to-string conversion", PLDI), into a reused buffer.

/// Writes `x` into `out` (cleared first) byte for byte as `x.to_string()`.
pub fn f64_display(x: f64, ryu: &mut ryu::Buffer, out: &mut Vec<u8>) {
    out.clear();
    if !x.is_finite() {
        out.extend_from_slice(if x.is_nan() {
            b"NaN"
        } else if x > 0.0 {
            b"inf"
        } else {
            b"-inf"
        });
        return;
    }
    // ryu writes `[-]d.ddd` or `[-]d.ddde[-]x`: its digits and a power of ten.
    let s = ryu.format_finite(x).as_bytes();
    let (negative, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let (mantissa, exp) = match s.iter().position(|&b| b == b'e') {
        Some(k) => (&s[..k], parse_exp(&s[k + 1..])),
        None => (s, 0),
    };
    // value = digits x 10^e, digits an integer without leading or trailing zeros.
    let mut digits = [0u8; 24];
    let (mut n, mut e) = (0usize, exp);
    let mut after_point = false;
    for &b in mantissa {
        if b == b'.' {
            after_point = true;
        } else if n > 0 || b != b'0' {
            digits[n] = b;
            n += 1;
            e -= after_point as i32;
        } else if after_point {
            e -= 1;
        }
    }
    while n > 0 && digits[n - 1] == b'0' {
        n -= 1;
        e += 1;
    }
    let digits = &digits[..n];
    if n > 0 && is_tie(x, digits, e) {
        // Display and ryu break an exact tie between two shortest digit
        // strings differently (ryu to even); rare, so Display writes it.
        use std::io::Write;
        let _ = write!(out, "{x}");
        return;
    }
    if negative {
        out.push(b'-');
    }
    if n == 0 {
        out.push(b'0');
    } else if e >= 0 {
        out.extend_from_slice(digits);
        out.resize(out.len() + e as usize, b'0');
    } else {
        let whole = n as i32 + e;
        if whole > 0 {
            out.extend_from_slice(&digits[..whole as usize]);
            out.push(b'.');
            out.extend_from_slice(&digits[whole as usize..]);
        } else {
            out.extend_from_slice(b"0.");
            out.resize(out.len() + (-whole) as usize, b'0');
            out.extend_from_slice(digits);
        }
    }
}

/// Whether |x| lies exactly halfway between digits x 10^e and a neighbour
/// (digits +- 1) x 10^e, where two shortest strings are equally close.
/// With |x| = m 2^q, m odd, that is 2m 2^q = t 10^e for an odd t = 2 digits
/// +- 1: so q + 1 = e, and m = t 5^e (e >= 0) or m 5^-e = t (e < 0).
fn is_tie(x: f64, digits: &[u8], e: i32) -> bool {
    let bits = x.abs().to_bits();
    let (biased, fraction) = ((bits >> 52) as i32, bits & ((1 << 52) - 1));
    let (mut m, mut q) = if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased - 1075) };
    let tz = m.trailing_zeros();
    m >>= tz;
    q += tz as i32;
    if q + 1 != e {
        return false;
    }
    let d = digits.iter().fold(0u128, |a, &b| a * 10 + (b - b'0') as u128);
    let pow5 = |k: u32| 5u128.checked_pow(k);
    let matches = |t: u128| {
        if e >= 0 {
            pow5(e as u32).and_then(|p| p.checked_mul(t)) == Some(m as u128)
        } else {
            pow5((-e) as u32).and_then(|p| p.checked_mul(m as u128)) == Some(t)
        }
    };
    matches(2 * d + 1) || (d > 0 && matches(2 * d - 1))
}

fn parse_exp(s: &[u8]) -> i32 {
    let (sign, s) = match s.split_first() {
        Some((b'-', rest)) => (-1, rest),
        _ => (1, s),
    };
    sign * s.iter().fold(0i32, |a, &b| a * 10 + (b - b'0') as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{Stream, draw};

    fn check(x: f64, ryu: &mut ryu::Buffer, out: &mut Vec<u8>) {
        f64_display(x, ryu, out);
        assert_eq!(std::str::from_utf8(out).unwrap(), x.to_string(), "bits {:x}", x.to_bits());
    }

    /// 1521343531389567.25 exactly: halfway between ...567.2 and ...567.3.
    const TIE: f64 = f64::from_bits(0x4315_9e9d_9314_49fd);

    #[test]
    fn edge_values_read_as_display_writes_them() {
        let (mut ryu, mut out) = (ryu::Buffer::new(), Vec::new());
        let edges = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            1e-7,
            1.2345e-7,
            1e15,
            1e16,
            1e21,
            1e22,
            123456789012345680000.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            f64::EPSILON,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.028,
            -791.0,
            2450.5,
            // Exact ties between two shortest strings.
            TIE,
            -((1u64 << 50) as f64) - 0.25,
            (1u64 << 46) as f64 + 0.125,
        ];
        for x in edges {
            check(x, &mut ryu, &mut out);
        }
        // The tie is seen as one (ryu alone writes ...567.2, Display ...567.3).
        assert_eq!(ryu.format_finite(TIE), "1521343531389567.2");
        assert!(is_tie(TIE, b"15213435313895672", -1));
        assert!(!is_tie(0.3, b"3", -1));
    }

    #[test]
    fn random_values_read_as_display_writes_them() {
        // Every bit pattern class: random bits (all exponents) and values of the model's scale.
        let (mut ryu, mut out) = (ryu::Buffer::new(), Vec::new());
        let mut s = Stream::new(42);
        for _ in 0..500_000 {
            check(f64::from_bits(s.next_u64()), &mut ryu, &mut out);
            let u = draw::uniform(&mut s);
            check(u, &mut ryu, &mut out);
            check((u - 0.5) * 10f64.powi((s.next_u64() % 40) as i32 - 20), &mut ryu, &mut out);
            check((u * 1e6).round() / 1e3, &mut ryu, &mut out);
        }
    }
}
