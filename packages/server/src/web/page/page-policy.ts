import type { BrandingConfig } from '../../config/schema.js';
import { HEALTH_STATES } from '../../model/health.js';
import { contentSecurityPolicy, securityHeaders } from '../security.js';
import { statusGlobalScript } from './render.js';

/**
 * The security headers of every document, fitted to the branding: Vigil's status global allowed by
 * hash, a logo or icon on a plain-http host allowed by origin (https and data: images always are),
 * framing as `frame_ancestors` says.
 */
export function pageSecurityHeaders(branding: BrandingConfig): Record<string, string> {
  const insecureImageOrigins = [branding.logo_url, branding.icon_url]
    .map((url) => new URL(url))
    .filter((url) => url.protocol === 'http:')
    .map((url) => url.origin);
  const policy = contentSecurityPolicy({
    customHtml: branding.custom_html,
    frameAncestors: branding.frame_ancestors,
    inlineScripts: HEALTH_STATES.map(statusGlobalScript),
    extra: { 'img-src': insecureImageOrigins },
  });
  return securityHeaders(policy, branding.frame_ancestors);
}
