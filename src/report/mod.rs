//! Reports the bot sends as pictures. Pure over data: callers gather the numbers (from the domain
//! and the store) and get PNG bytes back, ready to upload. No I/O, no host fonts: the CJK-capable
//! font is embedded in the binary (`assets/fonts/`).

pub mod chart;
