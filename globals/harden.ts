/**
 * Hardens the isolate's realm once per context, before any app code runs, so that one action
 * cannot leave anything for the next one in the same warm context (the technique of SES
 * `lockdown()`, reduced to what action logic needs; `ses` itself costs ~250 ms and ~1.7 MB per
 * isolate here, see docs/performance.md):
 *
 * - the set of frozen objects is DERIVED, not listed: everything reachable from the roots through
 *   property descriptors (values, getters and setters) and prototypes is frozen. The roots are
 *   globalThis, the originals the override accessors keep in their closures (a walk cannot see into
 *   a closure, so `enableOverride` hands them over), and specimens: one fresh instance of every
 *   syntax form and built-in iterator, whose prototypes and engine-installed accessors are the
 *   intrinsics no property path from globalThis reaches (%GeneratorPrototype%,
 *   %WrapForValidIteratorPrototype%, the `stack` accessor pair every Error shares,
 *   %ThrowTypeError%, ...). test/security/realm-sweep.test.ts walks the hardened realm on its own
 *   terms and fails on any object left open, so an intrinsic a future V8 adds fails the suite;
 * - the few prototype properties that ordinary code assigns on instances (`this.name = ...` in an
 *   Error subclass, `obj.toString = ...`) become accessors that define an own property on the
 *   instance instead, so freezing the prototype does not break them (SES "moderate" overrides);
 * - realm-wide state that freezing does not close is removed: RegExp's legacy statics
 *   (`RegExp.$1`, `RegExp.input`: the last match of any regexp), FinalizationRegistry and
 *   Atomics.waitAsync (callbacks that would run later, during another action). Math.random's
 *   state is replaced by a per-action seed before this runs (random.ts).
 */

const { defineProperty, freeze, getOwnPropertyDescriptor, getPrototypeOf, hasOwn, isFrozen } = Object;
const ownKeys = Reflect.ownKeys;

type Root = Record<PropertyKey, unknown>;

const REGEXP_LEGACY_STATICS = [
  "$1",
  "$2",
  "$3",
  "$4",
  "$5",
  "$6",
  "$7",
  "$8",
  "$9",
  "input",
  "$_",
  "lastMatch",
  "$&",
  "lastParen",
  "$+",
  "leftContext",
  "$`",
  "rightContext",
  "$'",
];

/** Error constructors on globalThis (Error and every subclass V8 has, SuppressedError included). */
function errorPrototypes(): object[] {
  const found: object[] = [];
  for (const key of ownKeys(globalThis)) {
    const value = getOwnPropertyDescriptor(globalThis, key)?.value;
    if (typeof value === "function" && (value === Error || value.prototype instanceof Error))
      found.push(value.prototype);
  }
  return found;
}

/** Prototype properties that code commonly assigns on instances (SES "moderate" enablements). */
function overridable(): [object, PropertyKey[]][] {
  const errorProps = ["constructor", "message", "name", "toString"];
  const iteratorPrototype = getPrototypeOf(getPrototypeOf([][Symbol.iterator]())) as object;
  return [
    [Object.prototype, ["toString", "valueOf", "constructor", "hasOwnProperty", "toLocaleString"]],
    [Function.prototype, ["toString", "constructor", "bind"]],
    [Array.prototype, ["toString", "push", "concat", Symbol.iterator]],
    [Promise.prototype, ["constructor"]],
    [iteratorPrototype, ["toString", "constructor", Symbol.toStringTag, Symbol.iterator]],
    ...errorPrototypes().map((prototype): [object, PropertyKey[]] => [prototype, errorProps]),
  ];
}

/**
 * Turns a data property into an accessor pair that shadows on assignment. Returns the original
 * value: the getter keeps it in its closure, where no property walk finds it, so the caller must
 * freeze it (hardenRealm walks it as a root).
 */
function enableOverride(target: object, key: PropertyKey): unknown {
  const descriptor = getOwnPropertyDescriptor(target, key);
  if (!descriptor || !("value" in descriptor)) return undefined;
  const value = descriptor.value;
  defineProperty(target, key, {
    get() {
      return value;
    },
    set(this: object, next: unknown) {
      if (this === target)
        throw new TypeError(`Cannot assign to the platform's frozen property ${String(key)}.`);
      if (hasOwn(this, key)) (this as Root)[key] = next;
      else defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
    },
    enumerable: descriptor.enumerable,
    configurable: false,
  });
  return value;
}

/**
 * One fresh instance of every syntax form and built-in iterator. Freezing a specimen costs
 * nothing (it is thrown away); walking it reaches its prototype chain and the accessors the
 * engine installs on instances, i.e. the intrinsics no property path from globalThis reaches.
 */
function specimens(): unknown[] {
  const made: unknown[] = [];
  const add = (make: () => unknown) => {
    try {
      made.push(make());
    } catch {
      // a form this V8 does not have: nothing of it to freeze
    }
  };
  const iteratorOf = (value: Iterable<unknown>) => value[Symbol.iterator]();
  const realm = globalThis as Root;
  const IteratorCtor = realm.Iterator as { from?(value: object): object } | undefined;
  const arrayIterator = () => iteratorOf([1]) as Iterator<unknown> & Root;
  // The functions (their prototypes: %GeneratorFunction.prototype%, %AsyncFunction.prototype%, ...)
  // and what calling them makes (%GeneratorPrototype%, %AsyncGeneratorPrototype%, ...).
  add(() => function* () {});
  add(() => async function* () {});
  add(() => async () => {});
  add(() => (function* () {})());
  add(() => (async function* () {})());
  add(() => (async () => {})());
  add(() => (Promise as unknown as { withResolvers(): unknown }).withResolvers());
  add(arrayIterator);
  add(() => iteratorOf(new Map()));
  add(() => iteratorOf(new Set()));
  add(() => iteratorOf(""));
  add(() => /a/g[Symbol.matchAll]("a"));
  add(() => IteratorCtor?.from?.({ next: () => ({ done: true, value: undefined }) }));
  for (const helper of ["map", "filter", "take", "drop", "flatMap"])
    add(() => (arrayIterator()[helper] as (fn: unknown) => unknown).call(arrayIterator(), () => 0));
  add(() => {
    const segments = new Intl.Segmenter().segment("a");
    return [segments, iteratorOf(segments)];
  });
  // The `stack` accessor pair V8 installs on every Error instance and on captureStackTrace targets.
  add(() => new Error("specimen"));
  add(() => {
    const target = {};
    (Error as unknown as { captureStackTrace(target: object): void }).captureStackTrace(target);
    return target;
  });
  add(() => Proxy.revocable({}, {}));
  add(() => new (realm.DisposableStack as new () => object)());
  add(() => new (realm.AsyncDisposableStack as new () => object)());
  add(function sloppyArguments() {
    // biome-ignore lint/complexity/noArguments: the arguments object is the specimen
    return arguments;
  });
  // %ThrowTypeError%: the callee accessor of strict arguments (and Function.prototype.caller's).
  add(() =>
    (function strictArguments() {
      // biome-ignore lint/complexity/noArguments: the arguments object is the specimen
      return arguments;
    })(),
  );
  return made;
}

/** Freezes `roots` and everything reachable from them through descriptors and prototypes. */
export function deepFreeze(roots: unknown[]): number {
  const seen = new Set<object>();
  const pending = [...roots];
  while (pending.length > 0) {
    const value = pending.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    pending.push(getPrototypeOf(value));
    for (const key of ownKeys(value)) {
      const descriptor = getOwnPropertyDescriptor(value, key);
      if (!descriptor) continue;
      pending.push(descriptor.value, descriptor.get, descriptor.set);
    }
    if (!isFrozen(value)) freeze(value);
  }
  return seen.size;
}

/** Removes realm-wide state, tames overrides, then freezes the realm. Returns the objects frozen. */
export function hardenRealm(): number {
  const global = globalThis as unknown as Root;
  for (const name of REGEXP_LEGACY_STATICS) delete (RegExp as unknown as Root)[name];
  delete (Atomics as unknown as Root).waitAsync;
  delete global.FinalizationRegistry;
  const originals: unknown[] = [];
  for (const [target, keys] of overridable())
    for (const key of keys) originals.push(enableOverride(target, key));
  return deepFreeze([globalThis, originals, specimens()]);
}
