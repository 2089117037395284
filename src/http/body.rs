//! The response body every handler returns: whole bytes (almost every answer), or
//! chunks streamed from a bounded channel (`GET /api/v1/export`), so a large answer
//! never sits in memory whole. A streamed body that receives an error ends the
//! response there: hyper drops the connection, and the client sees a chunked body
//! without its last chunk (never a complete-looking but cut answer).

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_lite::Stream;
use http_body_util::Full;
use hyper::body::{Bytes, Frame, SizeHint};

/// What a streamed body's producer sends: a chunk, or why the answer stops here.
pub type Chunk = Result<Bytes, std::io::Error>;

/// A response body: see the module docs.
#[derive(Debug)]
pub struct Body(Inner);

#[derive(Debug)]
enum Inner {
    /// All bytes at once.
    Whole(Full<Bytes>),
    /// Chunks as the producer sends them; the end when it drops its sender.
    Streamed(Pin<Box<async_channel::Receiver<Chunk>>>),
}

impl Body {
    /// A body of these bytes.
    pub fn new(bytes: Bytes) -> Body {
        Body(Inner::Whole(Full::new(bytes)))
    }

    /// A body streamed from `chunks` (bound the channel: that bounds the memory).
    pub fn streamed(chunks: async_channel::Receiver<Chunk>) -> Body {
        Body(Inner::Streamed(Box::pin(chunks)))
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::new(Bytes::new())
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match &mut self.get_mut().0 {
            Inner::Whole(full) => Pin::new(full)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            Inner::Streamed(chunks) => chunks
                .as_mut()
                .poll_next(cx)
                .map(|chunk| chunk.map(|c| c.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Inner::Whole(full) => full.is_end_stream(),
            Inner::Streamed(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Inner::Whole(full) => full.size_hint(),
            Inner::Streamed(_) => SizeHint::default(),
        }
    }
}
