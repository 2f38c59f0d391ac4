/** A minimal typed event emitter: a throwing listener never breaks the model or other listeners. */
export class TypedEmitter<Events extends Record<string, unknown>> {
  private listeners: { [K in keyof Events]?: Set<(event: Events[K]) => void> } = {};

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let set = this.listeners[name];
    if (!set) {
      set = new Set();
      this.listeners[name] = set;
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Listeners subscribed now, over every event: what stays flat when subscribers clean up. */
  listenerCount(): number {
    return Object.values(this.listeners).reduce((count, set) => count + (set?.size ?? 0), 0);
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners[name];
    if (!set) return;
    for (const listener of set) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
