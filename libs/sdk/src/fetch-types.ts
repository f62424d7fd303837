/*
 * The generated client names two fetch types that only the DOM library declares globally; the
 * project compiles against Node's types alone, so they are declared here from Node's own fetch.
 */
declare global {
  type BodyInit = NonNullable<ConstructorParameters<typeof Response>[0]>;
  type RequestInfo = ConstructorParameters<typeof Request>[0];
}

export {};
