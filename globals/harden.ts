/**
 * Hardens the isolate's realm once per context, before any app code runs, so that one action
 * cannot leave anything for the next one in the same warm context (the technique of SES
 * `lockdown()`, reduced to what action logic needs; `ses` itself costs ~250 ms and ~1.7 MB per
 * isolate here, see README "Performance"):
 *
 * - every object reachable from globalThis and from the hidden intrinsics (iterator, generator,
 *   async-function prototypes, %ThrowTypeError%, ...) is frozen, globalThis included;
 * - the few prototype properties that ordinary code assigns on instances (`this.name = ...` in an
 *   Error subclass, `obj.toString = ...`) become accessors that define an own property on the
 *   instance instead, so freezing the prototype does not break them (SES "moderate" overrides);
 * - realm-wide state that freezing does not close is removed: RegExp's legacy statics
 *   (`RegExp.$1`, `RegExp.input`: the last match of any regexp), FinalizationRegistry and
 *   Atomics.waitAsync (callbacks that would run later, during another action).
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
    ...[Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError].map(
      (ctor): [object, PropertyKey[]] => [ctor.prototype, errorProps],
    ),
  ];
}

function enableOverride(target: object, key: PropertyKey): void {
  const descriptor = getOwnPropertyDescriptor(target, key);
  if (!descriptor || !("value" in descriptor)) return;
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
}

/** Intrinsics that no property path from globalThis reaches. */
function hiddenIntrinsics(): unknown[] {
  const iteratorOf = (value: Iterable<unknown>) => value[Symbol.iterator]();
  const segments = new Intl.Segmenter().segment("a");
  const arrayIterator = iteratorOf([]) as Iterator<unknown> & { map?: (fn: unknown) => unknown };
  return [
    getPrototypeOf(function* () {}),
    getPrototypeOf(async () => {}),
    getPrototypeOf(async function* () {}),
    getPrototypeOf(arrayIterator),
    getPrototypeOf(iteratorOf(new Map())),
    getPrototypeOf(iteratorOf(new Set())),
    getPrototypeOf(iteratorOf("")),
    getPrototypeOf(/a/[Symbol.matchAll]("a")),
    getPrototypeOf(segments),
    getPrototypeOf(iteratorOf(segments)),
    typeof arrayIterator.map === "function" ? getPrototypeOf(arrayIterator.map((x: unknown) => x)) : null,
    getOwnPropertyDescriptor(Function.prototype, "caller")?.get,
    (function strictArguments() {
      // biome-ignore lint/complexity/noArguments: %ThrowTypeError% is only reachable through `arguments`
      return getOwnPropertyDescriptor(arguments, "callee")?.get;
    })(),
  ];
}

/** Freezes `roots` and everything reachable from them through properties and prototypes. */
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
  for (const [target, keys] of overridable()) for (const key of keys) enableOverride(target, key);
  return deepFreeze([globalThis, ...hiddenIntrinsics()]);
}
