//! What the benchmark measures with: a terminal that counts the bytes written to it, this
//! process's memory and CPU time from `/proc`, and percentiles.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A terminal that counts the bytes written to it (clones share the count).
#[derive(Clone, Default)]
pub struct CountingWriter(Arc<AtomicUsize>);

impl CountingWriter {
    /// Bytes written so far.
    pub fn bytes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::SeqCst);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `(kB of VmRSS, kB of VmHWM)` of this process.
pub fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU seconds used so far by this process (`None`) or by process `pid`.
pub fn cpu_seconds(pid: Option<u32>) -> f64 {
    let process = pid.map_or("self".to_string(), |pid| pid.to_string());
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are the 14th and 15th fields (12th and 13th after the command).
    (ticks(11) + ticks(12)) / 100.0
}

/// The `p` quantile (0–1) of `times`, nearest rank; 0 for none.
pub fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times
        .get(((times.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_counting() {
        let mut times: Vec<f64> = (1..=100).map(f64::from).rev().collect();
        assert_eq!(percentile(&mut times, 0.5), 51.0);
        assert_eq!(percentile(&mut times, 0.99), 99.0);
        assert_eq!(percentile(&mut [], 0.99), 0.0);
        let mut writer = CountingWriter::default();
        let shared = writer.clone();
        writer.write_all(b"12345").expect("write");
        assert_eq!(shared.bytes(), 5);
        if cfg!(target_os = "linux") {
            assert!(memory().0 > 0, "this process has resident memory");
        }
    }
}
