/**
 * Authentication pages from one sender, put back together as AuthAssembler does — in any arrival order, a
 * new message beginning when the auth type changes or a page comes again with other contents — and, for DRIP
 * messages sent with single-page FEC (remote-id-spec.md §6.4), the one lost page rebuilt from the others as
 * soon as the others are there, the parity page among them (recoverDripPage, with its sanity checks: a
 * rebuilt page that is not a DRIP FEC layout is not used). With every page there, the parity must hold: pages
 * of two messages of one length, whose other pages were lost, would otherwise make one message of neither.
 * A message whose parity page alone is lost is not completed: its pages could not be checked. The receiver
 * keeps one per radio link.
 */

import { assembleAuth, type AssembledAuth, type AuthAssembly } from '../messages/auth-pages.js';
import { AUTH_MAX_PAGES } from '../messages/auth-meta.js';
import type { AuthMessage } from '../messages/types.js';
import { fecLayout, fecParity, pagePayload, recoverDripPage } from './fec.js';
import { AUTH_TYPE_SAM } from './sam.js';

/**
 * What one page did: as AuthAssembly, and when complete, the pages in order, the data page FEC rebuilt (if
 * one was: the message is then unchecked, the parity having been spent on it), and whether the message had
 * completed before (a page of it heard again).
 */
export type FecAuthAssembly =
  | { complete: true; auth: AssembledAuth; /** Pages 0..last page index, in order. */ pages: AuthMessage[]; recovered?: number; again?: true }
  | Extract<AuthAssembly, { complete: false }>;

export class FecAuthAssembler {
  private readonly pages = new Map<number, AuthMessage>();
  private authType: number | undefined;
  /** The message held, once complete. */
  private completed: Extract<FecAuthAssembly, { complete: true }> | undefined;
  /** The result of the last page added. */
  last: FecAuthAssembly | undefined;

  add(page: AuthMessage): FecAuthAssembly {
    if (page.dataPage < 0 || page.dataPage >= AUTH_MAX_PAGES) return (this.last = { complete: false, missing: [] });
    const held = this.pages.get(page.dataPage);
    // Another auth type, or a page that comes again changed, means a new message has begun: keep the newest page only.
    if ((this.authType !== undefined && page.authType !== this.authType) || (held && !samePage(held, page))) {
      this.pages.clear();
      this.completed = undefined;
    }
    this.authType = page.authType;
    this.pages.set(page.dataPage, page);
    if (this.completed) return (this.last = { ...this.completed, again: true });
    const r = this.result();
    if (r.complete) this.completed = r;
    return (this.last = r);
  }

  private result(): FecAuthAssembly {
    const held = [...this.pages.values()];
    const r = assembleAuth(held);
    if (r.complete) {
      const pages = this.inOrder();
      if (this.authType === AUTH_TYPE_SAM && pages.length === fecLayout(r.auth.length).lastPageIndex + 1 && fecParity(pages.map(pagePayload)).some((b) => b !== 0)) {
        this.pages.clear();
        return { complete: false, missing: [], conflict: 'the FEC parity does not hold: pages of different messages' };
      }
      return { complete: true, auth: r.auth, pages };
    }
    if (this.authType !== AUTH_TYPE_SAM) return r;
    // The parity page comes last: until it has, the page missing is not known to be lost.
    const page0 = this.pages.get(0);
    if (page0?.lastPageIndex !== undefined && !this.pages.has(page0.lastPageIndex)) return r;
    const fec = recoverDripPage(held);
    if (!fec.ok) return r;
    const rebuilt = assembleAuth([...held, fec.page]);
    if (!rebuilt.complete) return r;
    this.pages.set(fec.page.dataPage, fec.page);
    return { complete: true, auth: rebuilt.auth, pages: this.inOrder(), recovered: fec.page.dataPage };
  }

  /** Pages 0..the last page index of page 0 (the FEC page included), in order. */
  private inOrder(): AuthMessage[] {
    const last = this.pages.get(0)?.lastPageIndex ?? 0;
    const out: AuthMessage[] = [];
    for (let p = 0; p <= last; p++) {
      const page = this.pages.get(p);
      if (page) out.push(page);
    }
    return out;
  }
}

function samePage(a: AuthMessage, b: AuthMessage): boolean {
  return a.authData === b.authData && a.lastPageIndex === b.lastPageIndex && a.length === b.length && a.timestamp === b.timestamp;
}
