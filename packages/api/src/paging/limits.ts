// The paging limits every list call shares (scheduler and agent), in a file with no imports so
// the wire client can read them without loading grpc-js.

/** Items in a page when the caller does not say (page_size 0). */
export const DEFAULT_PAGE_SIZE = 100;
/** Most items in one page; a larger page_size is lowered to this (as Google's AIP-158 does). */
export const MAX_PAGE_SIZE = 1000;
/**
 * A page stops once its encoded items pass this. One item stays under 1.5 MiB (a spec is at most
 * 1 MiB), so a page stays under 3.5 MiB: below the 4 MiB message limit with room for the rest.
 */
export const PAGE_BYTES = 2 * 1024 * 1024;
/** Longest page token accepted; ours are far shorter. */
export const MAX_PAGE_TOKEN_CHARS = 1024;
