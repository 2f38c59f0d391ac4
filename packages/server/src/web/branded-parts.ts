import type { BrandingConfig } from '../config/schema.js';
import { AssetCatalog } from './asset-catalog.js';
import { brandStyles } from './page/brand.js';
import { pageSecurityHeaders } from './page/page-policy.js';

/**
 * What the branding shapes beyond its texts: page.css (the `logo_color` rules) and the document
 * headers (the CSP allows what `custom_html` and the logo and icon URLs load, framing as
 * `frame_ancestors` says). Read from the live settings on each use and
 * rebuilt only when a reload changes those keys.
 */
export class BrandedParts {
  private assetsValue: { logoColor: string; catalog: AssetCatalog } | undefined;
  private headersValue: { branding: BrandingConfig; headers: Record<string, string> } | undefined;

  constructor(private readonly settings: { readonly branding: BrandingConfig }) {
    // Built now rather than inside the first page render, whose measured cost spaces later renders.
    this.assets();
  }

  assets(): AssetCatalog {
    const logoColor = this.settings.branding.logo_color;
    if (this.assetsValue?.logoColor !== logoColor) {
      this.assetsValue = { logoColor, catalog: AssetCatalog.load({ extraCss: brandStyles(logoColor) }) };
    }
    return this.assetsValue.catalog;
  }

  documentHeaders(): Record<string, string> {
    const branding = this.settings.branding;
    if (this.headersValue?.branding !== branding) {
      this.headersValue = { branding, headers: pageSecurityHeaders(branding) };
    }
    return this.headersValue.headers;
  }
}
