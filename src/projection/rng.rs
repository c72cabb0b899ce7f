//! Seeded randomness: one PCG stream per (seed, path, purpose), and the few distributions the
//! projection draws from. Every transcendental function goes through `libm`, so a seed gives
//! bit-identical draws natively and in WebAssembly. Square roots are `f64::sqrt`: IEEE 754 rounds
//! them correctly, so every target gives the same bits (one instruction in WASM, where `libm`'s
//! integer version costs 128-bit multiplications).
//!
//! Normals come from a ziggurat (Marsaglia and Tsang, in the floating-point form Doornik
//! published in 2005, "An Improved Ziggurat Method to Generate Normal Random Samples"): about 98 %
//! of draws take one 64-bit number, a table look-up and a multiplication, and only the rest
//! reach `libm`. `rand_distr` has a ziggurat too, but its `exp` and `ln` are the platform's
//! (`std` or `libm` by feature unification), and a seed must give the same bits on every target.
//!
//! The lognormal noise's `exp` is [`Tables::exp`]: a table of 2^(j/64) (from `libm`) and a short
//! polynomial, within 2 ulp of `libm`'s, with no division (1,000 daily paths ran 6 to 10 %
//! faster in WebAssembly with it). Its only operations are IEEE 754 additions and
//! multiplications, so it too gives the same bits everywhere.

use std::sync::OnceLock;

use rand_core::RngCore;
use rand_pcg::Pcg32;

/// The ziggurat's layers (a power of two: the layer is the low bits of a draw).
const LAYERS: usize = 128;
/// Where the base layer's rectangle ends and the tail begins.
const TAIL: f64 = 3.442_619_855_899;
/// The area of each layer (the base layer's includes the tail).
const AREA: f64 = 9.912_563_035_262_17e-3;

/// The tables the draws use, built once with `libm`: the standard normal's ziggurat (`LAYERS`
/// layers of equal area under `exp(-x²/2)`) and 2^(j/64) for [`Tables::exp`].
pub(crate) struct Tables {
    /// Right edges: layer `i` spans `[0, x[i]]`, under the curve up to `x[i + 1]`. `x[0]` is
    /// the base layer's width as if its area were a rectangle (`AREA / f(TAIL)`), `x[1]` is
    /// `TAIL`, and `x[LAYERS]` is 0.
    x: [f64; LAYERS + 1],
    /// `x[i + 1] / x[i]`: a uniform in (-1, 1) smaller than this in size gives a point of
    /// layer `i` under the curve.
    inner: [f64; LAYERS],
    /// 2^(j/64), j = 0..63.
    powers: [f64; 64],
}

/// ln 2 in two parts (`fdlibm`'s): the first has 32 significant bits, so that `k · LN2_HI` is
/// exact for every `k` [`Tables::exp`] uses.
const LN2_HI: f64 = 0.693_147_180_369_123_8;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

impl Tables {
    /// `e^y` within 2 ulp of `libm::exp`, for the noise: `y = (k + j/64) ln 2 + r` with `|r| ≤
    /// ln 2 / 128`, and `e^y = 2^k · 2^(j/64) · e^r`, `e^r` by its Taylor polynomial to `r^6`
    /// (the next term is below 2^-64). Outside `|y| < 700` (and for NaN) it is `libm::exp`.
    pub(crate) fn exp(&self, y: f64) -> f64 {
        // 1.5 · 2^52: adding it rounds to an integer (to nearest, ties to even) in the low bits.
        const SHIFT: f64 = 6_755_399_441_055_744.0;
        if y.is_nan() || y.abs() >= 700.0 {
            return libm::exp(y);
        }
        let n = y * (64.0 / std::f64::consts::LN_2) + SHIFT;
        // |y| < 700: |m| < 2^17, and the bits below 2^32 are m in two's complement.
        let m = n.to_bits() as u32 as i32;
        let kf = n - SHIFT;
        let r = (y - kf * (LN2_HI / 64.0)) - kf * (LN2_LO / 64.0);
        let p = 1.0
            + r * (1.0
                + r * (1.0 / 2.0
                    + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
        // `m & 63 < 64`: the look-up is in bounds; `m >> 6` is within ±1,011, a normal exponent.
        let t = self.powers[(m & 63) as usize];
        let scale = f64::from_bits(((1023 + (m >> 6)) as u64) << 52);
        t * p * scale
    }
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        let mut f = libm::exp(-0.5 * TAIL * TAIL);
        x[0] = AREA / f;
        x[1] = TAIL;
        for i in 2..LAYERS {
            x[i] = (-2.0 * libm::log(AREA / x[i - 1] + f)).sqrt();
            f = libm::exp(-0.5 * x[i] * x[i]);
        }
        let inner = std::array::from_fn(|i| x[i + 1] / x[i]);
        let powers = std::array::from_fn(|j| libm::exp2(j as f64 / 64.0));
        Tables { x, inner, powers }
    })
}

/// What a stream is used for. Usage and payment failures have separate streams, so that two
/// account settings compared with the same seed see exactly the same traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Usage = 0,
    Payments = 1,
}

/// SplitMix64's finaliser: spreads nearby seeds over the whole state space.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) struct Stream {
    pcg: Pcg32,
    tables: &'static Tables,
}

impl Stream {
    /// The stream of path `path` for `purpose`: the state comes from the seed and the path, and
    /// PCG's stream selector (its increment) from the path and purpose, so no two paths share a
    /// sequence.
    pub fn new(seed: u64, path: u32, purpose: Purpose) -> Stream {
        let selector = (u64::from(path) << 1) | purpose as u64;
        let state = mix(seed ^ mix(selector));
        Stream {
            pcg: Pcg32::new(state, selector),
            tables: tables(),
        }
    }

    /// Uniform in [0, 1), 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.pcg.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p` (exactly never for 0, always for 1).
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform in (0, 1): 53 random bits, never 0 (for `log`).
    fn open(&mut self) -> f64 {
        ((self.pcg.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (the ziggurat; see the module's notes).
    pub fn normal(&mut self) -> f64 {
        let z = self.tables;
        loop {
            let bits = self.pcg.next_u64();
            // The layer from the low 7 bits, a uniform in (-1, 1) from the high 53.
            let i = (bits as usize) & (LAYERS - 1);
            let u = ((bits >> 11) as f64 + 0.5) * (2.0 / (1u64 << 53) as f64) - 1.0;
            // `i < LAYERS`: both look-ups are in bounds.
            let (xi, inner) = (z.x[i], z.inner[i]);
            if u.abs() < inner {
                return u * xi;
            }
            if i == 0 {
                // The tail beyond `TAIL` (Marsaglia's method).
                loop {
                    let x = libm::log(self.open()) / TAIL;
                    let y = libm::log(self.open());
                    if -2.0 * y >= x * x {
                        return if u < 0.0 { x - TAIL } else { TAIL - x };
                    }
                }
            }
            // The wedge between the rectangle and the curve.
            let x = u * xi;
            let next = z.x[i + 1];
            let f0 = libm::exp(-0.5 * (xi * xi - x * x));
            let f1 = libm::exp(-0.5 * (next * next - x * x));
            if f1 + self.uniform() * (f0 - f1) < 1.0 {
                return x;
            }
        }
    }
}

/// A lognormal factor with mean 1 and a given coefficient of variation: `exp(mu + sigma z)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Noise {
    mu: f64,
    sigma: f64,
}

impl Noise {
    /// `None` for `cv = 0` (no randomness at all).
    pub fn new(cv: f64) -> Option<Noise> {
        if cv <= 0.0 {
            return None;
        }
        let var = libm::log1p(cv * cv);
        Some(Noise {
            mu: -var / 2.0,
            sigma: var.sqrt(),
        })
    }

    pub fn draw(&self, s: &mut Stream) -> f64 {
        s.tables.exp(self.mu + self.sigma * s.normal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<f64> = {
            let mut s = Stream::new(7, 0, Purpose::Usage);
            (0..4).map(|_| s.uniform()).collect()
        };
        let b: Vec<f64> = {
            let mut s = Stream::new(7, 0, Purpose::Usage);
            (0..4).map(|_| s.uniform()).collect()
        };
        let c: Vec<f64> = {
            let mut s = Stream::new(7, 1, Purpose::Usage);
            (0..4).map(|_| s.uniform()).collect()
        };
        let d: Vec<f64> = {
            let mut s = Stream::new(7, 0, Purpose::Payments);
            (0..4).map(|_| s.uniform()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
    }

    /// The normal's moments, how often it lands beyond the ziggurat's tail and in each band
    /// of a standard normal table, over 400,000 draws.
    #[test]
    fn ziggurat_draws_are_standard_normal() {
        let mut s = Stream::new(3, 1, Purpose::Usage);
        let k = 400_000;
        let xs: Vec<f64> = (0..k).map(|_| s.normal()).collect();
        let n = k as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        let skew = xs.iter().map(|x| (x - mean).powi(3)).sum::<f64>() / n / var.powf(1.5);
        let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n / (var * var);
        assert!(mean.abs() < 0.006, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "var {var}");
        assert!(skew.abs() < 0.02, "skew {skew}");
        assert!((kurt - 3.0).abs() < 0.05, "kurtosis {kurt}");
        // P(|z| > TAIL) = 5.76e-4: about 230 draws; the tail path is taken.
        let tail = xs.iter().filter(|x| x.abs() > TAIL).count();
        assert!((170..=290).contains(&tail), "tail {tail}");
        // Bands of the standard normal table: P(z < b) for b = -2, -1, -0.5, 0, 0.5, 1, 2.
        let table = [
            (-2.0, 0.022_750),
            (-1.0, 0.158_655),
            (-0.5, 0.308_538),
            (0.0, 0.5),
            (0.5, 0.691_462),
            (1.0, 0.841_345),
            (2.0, 0.977_250),
        ];
        for (b, p) in table {
            let got = xs.iter().filter(|x| **x < b).count() as f64 / n;
            // Within five standard errors.
            let se = (p * (1.0 - p) / n).sqrt();
            assert!((got - p).abs() < 5.0 * se, "P(z < {b}) = {got}, want {p}");
        }
    }

    /// The layers have equal areas, and the top one ends at 0.
    #[test]
    fn ziggurat_layers_have_equal_areas() {
        let z = tables();
        let f = |x: f64| libm::exp(-0.5 * x * x);
        for i in 1..LAYERS - 1 {
            // Layer i: width x[i], from f(x[i]) up to f(x[i + 1]).
            let area = z.x[i] * (f(z.x[i + 1]) - f(z.x[i]));
            assert!((area - AREA).abs() < 1e-9, "layer {i}: {area}");
        }
        let top = z.x[LAYERS - 1] * (1.0 - f(z.x[LAYERS - 1]));
        assert!((top - AREA).abs() < 1e-6, "top {top}");
        assert_eq!(z.x[LAYERS], 0.0);
    }

    /// Within 2 ulp of `libm::exp` over the range the noise uses and beyond: a fine grid,
    /// the points where the table index changes, and the fallback outside ±700.
    #[test]
    fn exp_is_libms_within_two_ulp() {
        // The two parts of ln 2 are fdlibm's, bit for bit.
        assert_eq!(LN2_HI.to_bits(), 0x3fe6_2e42_fee0_0000);
        assert_eq!(LN2_LO.to_bits(), 0x3dea_39ef_3579_3c76);
        let ulps = |a: f64, b: f64| (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
        let mut worst = 0;
        for i in -2_000_000..=2_000_000 {
            let y = f64::from(i) * 1e-5;
            worst = worst.max(ulps(tables().exp(y), libm::exp(y)));
        }
        for k in -44_800..44_800 {
            let y = f64::from(k) * std::f64::consts::LN_2 / 64.0;
            for y in [y, y + 1e-12, y - 1e-12, y + std::f64::consts::LN_2 / 128.0] {
                worst = worst.max(ulps(tables().exp(y), libm::exp(y)));
            }
        }
        assert!(worst <= 2, "{worst} ulp");
        assert_eq!(tables().exp(0.0), 1.0);
        for y in [700.0, -700.0, 709.0, -745.0, 1000.0, -1000.0] {
            assert_eq!(tables().exp(y), libm::exp(y));
        }
        assert!(tables().exp(f64::NAN).is_nan());
        assert_eq!(tables().exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(tables().exp(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn lognormal_noise_has_mean_one() {
        let n = Noise::new(0.5).unwrap();
        let mut s = Stream::new(1, 0, Purpose::Usage);
        let k = 200_000;
        let xs: Vec<f64> = (0..k).map(|_| n.draw(&mut s)).collect();
        let mean = xs.iter().sum::<f64>() / k as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / k as f64;
        assert!((mean - 1.0).abs() < 0.01, "mean {mean}");
        assert!((var.sqrt() - 0.5).abs() < 0.02, "sd {}", var.sqrt());
        assert!(Noise::new(0.0).is_none());
    }
}
