//! Colour quantization of a GIF sub-size to at most 256 colours, fast enough to cost less
//! than the resize:
//! - when the picture has few enough colours, the palette is those colours (a flat-colour
//!   logo saved at its own size, a crop without scaling): found with a small hash table that
//!   gives up at the first colour too many;
//! - else one pass fills a 15-bit (5 bits per channel) histogram, median cut splits the
//!   occupied bins (weighted by their pixel counts) into boxes, each box's palette entry is
//!   the mean of its pixels and each pixel takes its bin's box. Flat areas keep their exact
//!   colour as long as it has a bin of its own; blends at the edges, which resizing creates,
//!   share entries.
//!
//! NeuQuant (`color_quant`, what `gif::Frame::from_rgba_speed` uses) was measured 3x slower
//! for the catalogue's GIFs, most of it in training the network.

/// A palette image: `palette` holds RGB triples, `indexes` one entry per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    pub palette: Vec<u8>,
    pub indexes: Vec<u8>,
    /// The index of transparent pixels, when there are any.
    pub transparent: Option<u8>,
}

const BINS: usize = 1 << 15;

fn bin_of(p: &[u8]) -> usize {
    (usize::from(p[0] >> 3) << 10) | (usize::from(p[1] >> 3) << 5) | usize::from(p[2] >> 3)
}

#[derive(Clone, Copy, Default)]
struct Bin {
    sum: [u64; 3],
    count: u64,
}

impl Bin {
    fn mean(&self) -> [u8; 3] {
        let c = self.count.max(1);
        self.sum.map(|s| ((s + c / 2) / c) as u8)
    }
}

/// Open-addressing table of up to 256 exact colours (RGB in the low 24 bits).
struct Exact {
    slots: [u32; Exact::SLOTS],
    index: [u8; Exact::SLOTS],
    palette: Vec<u8>,
}

impl Exact {
    const SLOTS: usize = 1024;
    const EMPTY: u32 = u32::MAX;

    fn slot(&self, rgb: u32) -> usize {
        let mut s = (rgb.wrapping_mul(0x9E37_79B1) >> 22) as usize;
        while self.slots[s] != Self::EMPTY && self.slots[s] != rgb {
            s = (s + 1) % Self::SLOTS;
        }
        s
    }

    /// The palette of every opaque colour of `rgba`, or None past `max` colours.
    fn collect(rgba: &[u8], max: usize) -> Option<Exact> {
        let mut table = Exact {
            slots: [Self::EMPTY; Self::SLOTS],
            index: [0; Self::SLOTS],
            palette: Vec::with_capacity(max * 3),
        };
        let mut last = Self::EMPTY;
        for p in rgba.chunks_exact(4).filter(|p| p[3] != 0) {
            let rgb = u32::from_be_bytes([0, p[0], p[1], p[2]]);
            if rgb == last {
                continue;
            }
            last = rgb;
            let s = table.slot(rgb);
            if table.slots[s] == Self::EMPTY {
                if table.palette.len() == max * 3 {
                    return None;
                }
                table.slots[s] = rgb;
                table.index[s] = (table.palette.len() / 3) as u8;
                table.palette.extend_from_slice(&p[..3]);
            }
        }
        Some(table)
    }

    fn index_of(&self, p: &[u8]) -> u8 {
        self.index[self.slot(u32::from_be_bytes([0, p[0], p[1], p[2]]))]
    }
}

/// How an opaque pixel finds its palette index.
enum Mapping {
    Exact(Box<Exact>),
    /// The index of each histogram bin.
    Bins(Vec<u8>),
}

/// Quantizes RGBA pixels whose alpha is either 0 (transparent) or 255.
pub fn quantize(rgba: &[u8]) -> Indexed {
    let has_transparent = rgba.chunks_exact(4).any(|p| p[3] == 0);
    let max_colours = if has_transparent { 255 } else { 256 };
    let (mut palette, mapping) = match Exact::collect(rgba, max_colours) {
        Some(exact) => (exact.palette.clone(), Mapping::Exact(Box::new(exact))),
        None => {
            let (palette, index_of_bin) = median_cut_palette(rgba, max_colours);
            (palette, Mapping::Bins(index_of_bin))
        }
    };
    let transparent = has_transparent.then(|| {
        palette.extend_from_slice(&[0, 0, 0]);
        (palette.len() / 3 - 1) as u8
    });
    let indexes = rgba
        .chunks_exact(4)
        .map(|p| match transparent {
            Some(t) if p[3] == 0 => t,
            _ => match &mapping {
                Mapping::Exact(exact) => exact.index_of(p),
                Mapping::Bins(index_of_bin) => index_of_bin[bin_of(p)],
            },
        })
        .collect();
    Indexed {
        palette,
        indexes,
        transparent,
    }
}

/// An occupied histogram bin: its pixels' mean colour and how many there are.
#[derive(Clone, Copy)]
struct Point {
    bin: u16,
    mean: [u8; 3],
    count: u64,
}

/// The palette of at most `max` colours for the opaque pixels of `rgba`, and the palette
/// index of every histogram bin.
fn median_cut_palette(rgba: &[u8], max: usize) -> (Vec<u8>, Vec<u8>) {
    let mut bins = vec![Bin::default(); BINS];
    for p in rgba.chunks_exact(4).filter(|p| p[3] != 0) {
        let bin = &mut bins[bin_of(p)];
        bin.count += 1;
        for (sum, &value) in bin.sum.iter_mut().zip(p) {
            *sum += u64::from(value);
        }
    }
    let mut points: Vec<Point> = (0..BINS as u16)
        .filter(|&b| bins[usize::from(b)].count > 0)
        .map(|b| {
            let bin = &bins[usize::from(b)];
            Point {
                bin: b,
                mean: bin.mean(),
                count: bin.count,
            }
        })
        .collect();
    let mut index_of_bin = vec![0u8; BINS];
    let mut palette: Vec<u8> = Vec::with_capacity(max * 3);
    for (i, range) in median_cut(&mut points, max).into_iter().enumerate() {
        let mut sum = [0u64; 3];
        let mut count = 0u64;
        for point in &points[range] {
            let bin = &bins[usize::from(point.bin)];
            index_of_bin[usize::from(point.bin)] = i as u8;
            for (total, part) in sum.iter_mut().zip(bin.sum) {
                *total += part;
            }
            count += bin.count;
        }
        palette.extend(sum.map(|s| ((s + count / 2) / count) as u8));
    }
    (palette, index_of_bin)
}

/// A box of median cut: a range of the points, its widest channel, that channel's lowest and
/// highest value, and its priority (range times pixel count).
struct CutBox {
    range: std::ops::Range<usize>,
    channel: usize,
    lo: u8,
    hi: u8,
    score: u64,
}

impl CutBox {
    fn of(points: &[Point], range: std::ops::Range<usize>) -> CutBox {
        let mut lo = [255u8; 3];
        let mut hi = [0u8; 3];
        let mut count = 0u64;
        for p in &points[range.clone()] {
            for c in 0..3 {
                lo[c] = lo[c].min(p.mean[c]);
                hi[c] = hi[c].max(p.mean[c]);
            }
            count += p.count;
        }
        let channel = (0..3)
            .max_by_key(|&c| hi[c] - lo[c])
            .expect("three channels");
        CutBox {
            range,
            channel,
            lo: lo[channel],
            hi: hi[channel],
            score: u64::from(hi[channel] - lo[channel]) * count,
        }
    }
}

/// Splits `points` into at most `max` boxes, reordering it so that each box is a range of it.
/// The box split next is the one with the largest colour range times pixel count, at the
/// pixel-weighted median of its widest channel (found with a 256-value histogram, then one
/// partition pass: no sorting).
fn median_cut(points: &mut [Point], max: usize) -> Vec<std::ops::Range<usize>> {
    let mut boxes: Vec<CutBox> = Vec::with_capacity(max);
    if !points.is_empty() {
        boxes.push(CutBox::of(points, 0..points.len()));
    }
    while boxes.len() < max {
        // A positive score means two different values in the channel: both halves get some.
        let Some(pick) = (0..boxes.len())
            .filter(|&i| boxes[i].score > 0)
            .max_by_key(|&i| boxes[i].score)
        else {
            break;
        };
        let cut = boxes.swap_remove(pick);
        let slice = &mut points[cut.range.clone()];
        let mut weight = [0u64; 256];
        for p in slice.iter() {
            weight[usize::from(p.mean[cut.channel])] += p.count;
        }
        let total: u64 = weight.iter().sum();
        let mut seen = 0u64;
        let mut median = cut.lo;
        for value in cut.lo..cut.hi {
            seen += weight[usize::from(value)];
            median = value;
            if seen * 2 >= total {
                break;
            }
        }
        // Values up to the median to the left (median < hi: the right is not empty).
        let mut left = 0;
        for i in 0..slice.len() {
            if slice[i].mean[cut.channel] <= median {
                slice.swap(i, left);
                left += 1;
            }
        }
        let split = cut.range.start + left;
        boxes.push(CutBox::of(points, cut.range.start..split));
        boxes.push(CutBox::of(points, split..cut.range.end));
    }
    boxes.into_iter().map(|b| b.range).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colour_of(out: &Indexed, i: usize) -> [u8; 3] {
        let p = usize::from(out.indexes[i]) * 3;
        [out.palette[p], out.palette[p + 1], out.palette[p + 2]]
    }

    #[test]
    fn few_colours_are_kept_exactly() {
        // Two colours in the same 5-bit bin must not be merged.
        let rgba = [
            10, 20, 30, 255, 11, 20, 30, 255, 200, 0, 0, 255, 10, 20, 30, 255,
        ];
        let out = quantize(&rgba);
        assert_eq!(out.transparent, None);
        assert_eq!(out.palette.len(), 9);
        for (i, p) in rgba.chunks_exact(4).enumerate() {
            assert_eq!(colour_of(&out, i), [p[0], p[1], p[2]]);
        }
    }

    #[test]
    fn transparency_gets_its_own_index() {
        let rgba = [1, 2, 3, 0, 200, 100, 50, 255, 9, 9, 9, 0];
        let out = quantize(&rgba);
        let t = out.transparent.expect("transparent pixels");
        assert_eq!(out.indexes[0], t);
        assert_eq!(out.indexes[2], t);
        assert_ne!(out.indexes[1], t);
        assert_eq!(colour_of(&out, 1), [200, 100, 50]);
        let all_clear = quantize(&[0, 0, 0, 0, 5, 5, 5, 0]);
        assert_eq!(all_clear.indexes, [0, 0]);
        assert_eq!(all_clear.transparent, Some(0));
    }

    #[test]
    fn many_colours_fit_in_256_closely_and_flat_colours_stay_exact() {
        // A smooth 256x256 red-green ramp (65,536 colours) beside three flat colours.
        let mut rgba = Vec::new();
        for y in 0..256u32 {
            for x in 0..256u32 {
                rgba.extend_from_slice(&[x as u8, y as u8, 128, 255]);
            }
            for _ in 0..64 {
                rgba.extend_from_slice(&[255, 255, 255, 255]);
            }
            for c in [[0, 0, 255, 255], [250, 10, 10, 255]] {
                for _ in 0..32 {
                    rgba.extend_from_slice(&c);
                }
            }
        }
        let out = quantize(&rgba);
        assert!(out.palette.len() <= 256 * 3 && out.palette.len() > 200 * 3);
        assert_eq!(out.transparent, None);
        let mut error = 0u64;
        for (i, p) in rgba.chunks_exact(4).enumerate() {
            let got = colour_of(&out, i);
            error += (0..3)
                .map(|c| u64::from(got[c].abs_diff(p[c])))
                .sum::<u64>();
        }
        let mad = error as f64 / (rgba.len() / 4 * 3) as f64;
        assert!(mad < 4.0, "{mad}");
        let width = 256 + 64 + 64;
        assert_eq!(colour_of(&out, 300), [255, 255, 255]);
        assert_eq!(colour_of(&out, 340), [0, 0, 255]);
        assert_eq!(colour_of(&out, width * 7 + 370), [250, 10, 10]);
    }
}
