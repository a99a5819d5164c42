/**
 * Where avatar objects live in the bucket (served by CloudFront under /a/*). Pure naming, shared
 * by the 302 target (avatar-location.ts) and the store that writes the objects.
 *  a/<id>/<version>/<size>.<format>   resized photo variants (immutable)
 *  a/<id>/<version>/<size>.svg        initials fallback at one size (immutable; version `i…`)
 *  o/<id>/<version>/original          the provider's original bytes (never served)
 */
export const s3Key = {
  variant: (id: string, version: string, size: number, format: string) =>
    `a/${id}/${version}/${size}.${format}`,
  initials: (id: string, version: string, size: number) => `a/${id}/${version}/${size}.svg`,
  original: (id: string, version: string) => `o/${id}/${version}/original`,
};
