/**
 * Caps of the document helpers (Liquid, htmlToText, xlsx, zip, PDF). One place for each number; the
 * Limits table of docs/admins.md lists them. Host-call argument sizes are capped separately in sandbox/bridge.ts.
 */
const MB = 1024 * 1024;

export const CONTENT_LIMITS = {
  /** LiquidParser.parse: template length (characters). */
  liquidTemplateChars: 1 * MB,
  /** LiquidParser.parse: render time of one template. */
  liquidRenderMs: 1_000,
  /**
   * LiquidParser.parse: liquidjs's memory budget, counted over one render in characters and array
   * elements its filters allocate. Measured: one counted unit can cost ~120 bytes of heap (a
   * string split into characters, then sorted), so 2 M units stay well inside the thread's heap.
   * At 64 M a 258-character template needed GBs: a worker thread over its heap limit can take the
   * whole process down (V8's fatal out-of-memory), so the budget must keep far below it.
   */
  liquidMemory: 2 * MB,
  /** LiquidParser.parse: output length (characters). */
  liquidOutputChars: 4 * MB,
  /**
   * LiquidParser.parse: hard stop of one render, its thread terminated. liquidjs checks its
   * renderLimit only between tags, so one filter over a huge array runs on past it.
   */
  liquidThreadMs: 2_000,
  /** htmlToText: HTML length (characters). */
  htmlToTextChars: 2 * MB,
  /** readExcelFileRef / readCsvFileRef / mergePdfFileRefs: one input file read into memory. */
  inputFileBytes: 16 * MB,
  /** readExcelFileRef: cells returned. */
  excelReadCells: 1_000_000,
  /** writeExcelFileRef / zipFileRefs / writePdfFileRef / mergePdfFileRefs: the file produced. */
  outputFileBytes: 64 * MB,
  /** zipFileRefs / mergePdfFileRefs: number of input files. */
  filesPerCall: 500,
  /** zipFileRefs: all inputs together. */
  zipInputBytes: 100 * MB,
  /** mergePdfFileRefs: pages of the merged document. */
  pdfPages: 5_000,
  /** mergePdfFileRefs: bytes one compressed stream of an input PDF may decode to (object streams). */
  pdfStreamBytes: 32 * MB,
  /** readExcelFileRef: entries of the zip container (counted from its central directory). */
  zipEntries: 10_000,
  /**
   * writePdfFileRef: pixels of one image (width × height, read from its header before decoding);
   * the default of DocumentPool's `maxImagePixels`. 40 MP of RGBA decode to 160 MB.
   */
  imagePixels: 40_000_000,
  /** Heap of one document worker thread (V8's old generation); DocumentPool's `threadHeapMb`. */
  threadHeapMb: 1024,
} as const;
