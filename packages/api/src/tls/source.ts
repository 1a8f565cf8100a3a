// A daemon's TLS material that can be reloaded (SIGHUP) without a restart. It is the grpc-js
// certificate provider of the daemon's server credentials (both CA and identity), and what its
// own outgoing connections and HTTP listener read: a reload reaches new connections; a reload that
// fails keeps the old material and says why.
import { loadTlsMaterial, DAEMON_TLS_LABELS, type TlsFiles, type TlsLabels, type TlsMaterial } from './material.js';

type CaListener = (update: { caCertificate: Buffer } | null) => void;
type IdentityListener = (update: { certificate: Buffer; privateKey: Buffer } | null) => void;

/** What servers and clients need of a TlsSource (structural: a test may hand one from a built copy). */
export interface ReloadableTls {
  readonly material: TlsMaterial;
  onChange(listener: (m: TlsMaterial) => void): () => void;
  addCaCertificateListener(listener: CaListener): void;
  removeCaCertificateListener(listener: CaListener): void;
  addIdentityCertificateListener(listener: IdentityListener): void;
  removeIdentityCertificateListener(listener: IdentityListener): void;
}

export class TlsSource implements ReloadableTls {
  private current: TlsMaterial;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly changeListeners = new Set<(m: TlsMaterial) => void>();

  /**
   * Loads the files now: throws TlsFileError naming the flag and the path. `accept` may refuse
   * material by throwing (a daemon checks that the certificate is for its own role), at start and
   * at every reload.
   */
  constructor(
    readonly files: TlsFiles,
    private readonly labels: TlsLabels = DAEMON_TLS_LABELS,
    private readonly accept: (m: TlsMaterial) => void = () => undefined,
  ) {
    this.current = this.load();
  }

  private load(): TlsMaterial {
    const m = loadTlsMaterial(this.files, this.labels);
    this.accept(m);
    return m;
  }

  get material(): TlsMaterial {
    return this.current;
  }

  /**
   * Reads the files again. On success every listener gets the new material (new connections use
   * it; open ones keep theirs); on failure the old material stays and the error is returned.
   */
  reload(): { ok: true; material: TlsMaterial } | { ok: false; error: string } {
    let next: TlsMaterial;
    try {
      next = this.load();
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
    this.current = next;
    for (const l of this.caListeners) l({ caCertificate: next.ca });
    for (const l of this.identityListeners) l({ certificate: next.cert, privateKey: next.key });
    for (const l of this.changeListeners) l(next);
    return { ok: true, material: next };
  }

  /** Called with the new material after each successful reload. */
  onChange(listener: (m: TlsMaterial) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  // grpc-js CertificateProvider (experimental.createCertificateProviderServerCredentials):
  // listeners get the current material, then each reload. The first call is deferred to a
  // microtask: grpc-js adds its server's watcher only after it has added these listeners, and an
  // answer given synchronously would reach no watcher (the server then drops every connection).
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    void Promise.resolve().then(() => {
      if (this.caListeners.has(listener)) listener({ caCertificate: this.current.ca });
    });
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    void Promise.resolve().then(() => {
      if (this.identityListeners.has(listener))
        listener({ certificate: this.current.cert, privateKey: this.current.key });
    });
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}
