//! Seeded randomness: one PCG stream per (seed, path, purpose), and the few distributions the
//! projection draws from. Every transcendental function goes through `libm`, so a seed gives
//! bit-identical draws natively and in WebAssembly. Square roots are `f64::sqrt`: IEEE 754 rounds
//! them correctly, so every target gives the same bits (one instruction in WASM, where `libm`'s
//! integer version costs 128-bit multiplications).

use rand_core::RngCore;
use rand_pcg::Pcg32;

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
    /// The polar method makes normals in pairs; the second waits here.
    spare: Option<f64>,
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
            spare: None,
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

    /// Standard normal (Marsaglia's polar method).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * libm::log(s) / s).sqrt();
                self.spare = Some(v * f);
                return u * f;
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
        libm::exp(self.mu + self.sigma * s.normal())
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
