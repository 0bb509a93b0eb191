//! WebSocket frames written and read by hand, for the bytes a library would
//! refuse to send or would hide: close codes nobody may send, bad UTF-8,
//! reserved opcodes, a message trickled in slices. Servers send unmasked
//! frames and clients masked ones (RFC 6455 §5.3); both are read here.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// One frame: its opcode and its payload (unmasked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub opcode: u8,
    pub payload: Vec<u8>,
    /// It came masked, as a client's frames must and a server's must not.
    pub masked: bool,
}

impl Frame {
    /// The close code of a Close frame (None for an empty body).
    pub fn close_code(&self) -> Option<u16> {
        assert_eq!(self.opcode, 0x8, "not a Close frame: {self:?}");
        (self.payload.len() >= 2).then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }

    /// The payload as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.payload.clone()).expect("UTF-8 payload")
    }
}

/// A final frame, masked with `mask` when there is one.
fn encode(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    let masked = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => f.push(masked | u8::try_from(n).expect("small")),
        n if n < 65_536 => {
            // 126: a 16-bit length follows.
            f.push(masked | 0x7e);
            f.extend_from_slice(&u16::try_from(n).expect("medium").to_be_bytes());
        }
        n => {
            // 127: a 64-bit length follows.
            f.push(masked | 0x7f);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(mask) => {
            f.extend_from_slice(&mask);
            f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        }
        None => f.extend_from_slice(payload),
    }
    f
}

/// A final, unmasked frame, as a server sends it.
pub fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    encode(opcode, payload, None)
}

/// A final, masked frame, as a client must send it.
pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    encode(opcode, payload, Some([0x12, 0x34, 0x56, 0x78]))
}

/// A raw server Close frame with any code at all (also the forbidden ones).
pub fn close_frame(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason);
    frame(0x8, &payload)
}

/// Reads one frame, masked or not; `Ok(None)` when the stream ends before
/// it starts.
pub async fn next_frame<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<Option<Frame>> {
    let first = match s.read_u8().await {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    };
    let second = s.read_u8().await?;
    let len = match second & 0x7f {
        126 => u64::from(s.read_u16().await?),
        127 => s.read_u64().await?,
        n => u64::from(n),
    };
    let masked = second & 0x80 != 0;
    let mut mask = [0u8; 4];
    if masked {
        s.read_exact(&mut mask).await?;
    }
    let mut payload = vec![0u8; usize::try_from(len).expect("fits")];
    s.read_exact(&mut payload).await?;
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    Ok(Some(Frame {
        opcode: first & 0x0f,
        payload,
        masked,
    }))
}

/// Reads one frame; the end of the stream is an error here.
pub async fn read_frame<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<Frame> {
    next_frame(s)
        .await?
        .ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
}

/// Reads frames until a Close; returns its code (`None` for an empty Close).
pub async fn read_close<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<Option<u16>> {
    loop {
        let frame = read_frame(s).await?;
        if frame.opcode == 0x8 {
            return Ok(frame.close_code());
        }
    }
}
