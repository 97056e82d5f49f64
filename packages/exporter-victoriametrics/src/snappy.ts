import { SnappyCompressor } from 'snappyjs/snappy_compressor';

/*
 * Snappy block compression (snappyjs's compressor) into a scratch buffer reused from request to
 * request. snappyjs's own compress() zero-fills a new buffer of the worst-case size (the input
 * plus a sixth) for every request and returns a view of it, so that each request in flight kept
 * that whole buffer alive; here the compressed bytes are copied out to a buffer of their size.
 */
export class SnappyBlockCompressor {
  private scratch: Buffer = Buffer.allocUnsafe(0);

  /** The snappy block of `raw`, in a buffer of its own (raw may be reused after this returns). */
  compress(raw: Uint8Array): Buffer {
    const compressor = new SnappyCompressor(raw);
    const maxLength = compressor.maxCompressedLength();
    if (this.scratch.length < maxLength) this.scratch = Buffer.allocUnsafe(maxLength);
    const length = compressor.compressToBuffer(this.scratch);
    const out = Buffer.allocUnsafe(length);
    this.scratch.copy(out, 0, 0, length);
    return out;
  }
}
