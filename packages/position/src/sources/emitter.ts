/** A tiny typed event emitter, so each source declares exactly which events it has. */

type Handler<T> = (arg: T) => void;

export class Emitter<E extends { error: Error }> {
  private readonly handlers = new Map<keyof E, Set<Handler<never>>>();

  on<K extends keyof E>(event: K, cb: Handler<E[K]>): void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(cb as Handler<never>);
  }

  off<K extends keyof E>(event: K, cb: Handler<E[K]>): void {
    this.handlers.get(event)?.delete(cb as Handler<never>);
  }

  listenerCount(event: keyof E): number {
    return this.handlers.get(event)?.size ?? 0;
  }

  protected emit<K extends keyof E>(event: K, arg: E[K]): void {
    for (const cb of [...(this.handlers.get(event) ?? [])]) {
      try {
        (cb as Handler<E[K]>)(arg);
      } catch (e) {
        // A listener's bug must not kill the socket/stream callback that called us; surface it instead.
        const err = e instanceof Error ? e : new Error(String(e));
        if (event !== 'error' && this.listenerCount('error') > 0) this.emit('error', err as E['error']);
        else queueMicrotask(() => { throw err; });
      }
    }
  }
}
