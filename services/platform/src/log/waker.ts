/**
 * A sleep that ends early when notified. A notification that arrives while nobody sleeps is
 * kept, so a publish between two polls is never missed.
 */
export class Waker {
  private notified = false;
  private wakeUp: (() => void) | undefined;

  notify(): void {
    this.notified = true;
    this.wakeUp?.();
  }

  wait(ms: number): Promise<void> {
    if (this.notified) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.notified = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
