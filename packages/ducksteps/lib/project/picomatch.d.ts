// The one function of picomatch ducksteps uses (the package ships no types).
declare module 'picomatch' {
  export interface Options {
    readonly dot?: boolean;
    readonly ignore?: string | readonly string[];
  }
  export default function picomatch(glob: string | readonly string[], options?: Options): (path: string) => boolean;
}
