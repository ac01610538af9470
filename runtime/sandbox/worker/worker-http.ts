/**
 * `RestApi.executeRequest()` of a worker-run action, sent from the worker process itself: the same
 * HTTP client as in the server (egress check on every hop and at connect time, caps, redirects,
 * per-request and action deadlines), with the policy and the request count the server handed
 * over, so an outbound call does not cross the IPC to the server and back. What needs the server
 * stays there: file parts (stored files), `setComindAuth()` (its signing key), downloads (temp
 * files in the store) — those are forwarded like any other host call.
 *
 * The budget is one per action across processes: the worker sends the calls it made with its next
 * message (`call` or `done`), the server counts them, and every reply carries the server's count
 * (a forwarded call may have sent requests of its own: a nested transition, a download).
 */
import type { HttpRequestSpec, HttpResponse } from "../../../globals/bridge-contract.ts";
import { publicError, RuntimeError } from "../../errors.ts";
import type { WorkerHttpAnswer } from "../execute.ts";
import { createHttpClient, type HttpCallLog, type HttpClient, type HttpHandOff } from "../../host/index.ts";

const NO_FILES = {
  readFile: () => Promise.reject(new RuntimeError("internal_error", "File parts are sent by the server.")),
  createTempFile: () =>
    Promise.reject(new RuntimeError("internal_error", "Downloads are sent by the server.")),
};

/** How long an ended action waits for its aborted requests to log themselves. */
const FINISH_GRACE_MS = 2_000;

/** Why requests still in flight when the action ended are stopped. */
const ACTION_ENDED = Object.freeze(new Error("action ended"));

export class WorkerHttp {
  /**
   * Made by the first request sent here: most actions send none, and the client and its abort
   * wiring cost ~8 µs per run (measured with bench/floor.ts). Until then `used` keeps the count.
   */
  private client: { http: HttpClient; stop: AbortController } | null = null;
  private used: number;
  private unsent: HttpCallLog[] = [];
  /** With `record`: each request's answer, in the order the logic made them (one at a time). */
  private answers: WorkerHttpAnswer[] | null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly handOff: HttpHandOff;
  private readonly actionSignal: AbortSignal;
  private readonly redact: (text: string) => string;

  /**
   * @param actionSignal the action's deadline in this worker (its watchdog aborts it)
   * @param redact the app's secrets out of the call log
   */
  constructor(handOff: HttpHandOff, actionSignal: AbortSignal, redact: (text: string) => string) {
    this.answers = handOff.record ? [] : null;
    this.handOff = handOff;
    this.used = handOff.used;
    this.actionSignal = actionSignal;
    this.redact = redact;
  }

  private sender(): HttpClient {
    if (this.client) return this.client.http;
    const stop = new AbortController();
    const actionSignal = this.actionSignal;
    if (actionSignal.aborted) stop.abort(actionSignal.reason);
    else actionSignal.addEventListener("abort", () => stop.abort(actionSignal.reason), { once: true });
    const http = createHttpClient({
      policy: this.handOff.policy,
      files: NO_FILES,
      signal: stop.signal,
      used: this.used,
      redact: this.redact,
      onCall: (call) => this.unsent.push(call),
    });
    this.client = { http, stop };
    return http;
  }

  /** Whether this request is sent here; the others need the server (see above). */
  sendsHere(spec: HttpRequestSpec): boolean {
    // Anything unusual goes to the server too, which answers it as it always has.
    return !spec.comindAuth && Array.isArray(spec.files) && spec.files.length === 0;
  }

  execute(spec: HttpRequestSpec): Promise<HttpResponse> {
    const sending = this.sender().execute(spec);
    const answers = this.answers;
    const settled = sending.then(
      (answer) => void answers?.push({ arg: spec, answer }),
      (error) => void answers?.push({ arg: spec, error: publicError(error) }),
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return sending;
  }

  /** The calls made here since the last time, for the server's call log (undefined: none). */
  take(): HttpCallLog[] | undefined {
    if (this.unsent.length === 0) return undefined;
    const calls = this.unsent;
    this.unsent = [];
    return calls;
  }

  /** The answers of the requests sent here since the last time (recorded runs only; undefined: none). */
  takeAnswers(): WorkerHttpAnswer[] | undefined {
    if (!this.answers?.length) return undefined;
    const answers = this.answers;
    this.answers = [];
    return answers;
  }

  /** Calls taken for a message that could not be sent: they go with the next one. */
  putBack(calls: HttpCallLog[]): void {
    this.unsent = [...calls, ...this.unsent];
  }

  /** The server's count after a forwarded call. */
  resume(used: number | undefined): void {
    if (typeof used !== "number") return;
    if (this.client) this.client.http.resume(used);
    else this.used = used;
  }

  /**
   * The action ended: stops what is still in flight (a run ended by its deadline), waits for
   * it to log itself, and returns the calls not yet sent — a timed-out request must reach the
   * call log, which decides whether a queued run is retried.
   */
  async finish(): Promise<HttpCallLog[] | undefined> {
    if (this.inFlight.size > 0) {
      this.client?.stop.abort(ACTION_ENDED);
      // An aborted request settles at once; should one not, the action's end does not wait for it.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.inFlight),
        new Promise((resolve) => {
          grace = setTimeout(resolve, FINISH_GRACE_MS);
        }),
      ]);
      clearTimeout(grace);
    }
    return this.take();
  }
}
