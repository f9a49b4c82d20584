import type { Cursor } from './types.js';

/** A started query: a synchronous, lazy iterator and how to release it. */
export interface OpenedIterator<T> {
  readonly iterator: Iterator<T>;
  readonly close: () => void;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A cursor over a lazily started synchronous iterator (the embedded engine's queries). Like
 * the driver's cursors it can be consumed once; breaking out of `for await`, an error, or
 * `close()` releases it. Every 1000 documents it lets the event loop run (progress output,
 * timers), so a long read never starves the process.
 */
export class IteratorCursor<T> implements Cursor<T> {
  private opened: OpenedIterator<T> | undefined;
  private started = false;
  private finished = false;

  constructor(
    private readonly start: () => OpenedIterator<T>,
    private readonly wrapError: (error: unknown) => Error,
  ) {}

  private open(): OpenedIterator<T> | undefined {
    if (this.started) return undefined;
    this.started = true;
    try {
      this.opened = this.start();
    } catch (error) {
      this.finished = true;
      throw this.wrapError(error);
    }
    return this.opened;
  }

  private release(): void {
    if (this.finished) return;
    this.finished = true;
    const opened = this.opened;
    this.opened = undefined;
    if (opened) {
      try {
        opened.iterator.return?.();
      } finally {
        opened.close();
      }
    }
  }

  private next(opened: OpenedIterator<T>): IteratorResult<T> {
    try {
      return opened.iterator.next();
    } catch (error) {
      this.release();
      throw this.wrapError(error);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    const opened = this.open();
    if (!opened) return;
    try {
      let count = 0;
      for (;;) {
        const result = this.next(opened);
        if (result.done === true) return;
        yield result.value;
        if (++count % 1000 === 0) await yieldToEventLoop();
      }
    } finally {
      this.release();
    }
  }

  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) out.push(item);
    return out;
  }

  close(): Promise<void> {
    this.started = true;
    this.release();
    return Promise.resolve();
  }
}
