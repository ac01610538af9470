/**
 * The floor under `RestApi.executeRequest()`: the same plain undici request, called from a bare
 * isolated-vm isolate through `applySyncPromise` — no runtime code on either side (no bridge, no
 * egress checks, no JSON). Whatever this costs over the request itself is the price of a
 * synchronous call out of an isolate (two thread hand-offs per call), which no change to the
 * runtime can remove.
 *
 *   const floor = await isolateFloor(plain); ... await floor.loop(100) ... floor.dispose();
 */
import ivm from "isolated-vm";

export interface IsolateFloor {
  /** Runs `count` requests one after the other from inside the isolate. */
  loop(count: number): Promise<void>;
  dispose(): void;
}

export async function isolateFloor(plainRequest: () => Promise<void>): Promise<IsolateFloor> {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  const context = await isolate.createContext();
  await context.global.set("plainRequest", new ivm.Reference(plainRequest));
  const loop = (await context.eval(
    `(count) => { for (let i = 0; i < count; i++) plainRequest.applySyncPromise(undefined, []); }`,
    { reference: true },
  )) as ivm.Reference<(count: number) => void>;
  return {
    loop: async (count) => {
      await loop.apply(undefined, [count]);
    },
    dispose: () => isolate.dispose(),
  };
}
