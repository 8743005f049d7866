import type { DetailedHTMLProps, HTMLAttributes } from 'react';

type AltchaWidgetElement = HTMLElementTagNameMap['altcha-widget'];

/**
 * The attributes the dashboard gives <altcha-widget>. The package ships a React typing of its
 * own (altcha/types/react), but its relative imports do not resolve under this project's
 * `nodenext` module resolution, which leaves the element without its attributes.
 */
declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'altcha-widget': DetailedHTMLProps<HTMLAttributes<AltchaWidgetElement>, AltchaWidgetElement> & {
        challenge?: string;
        auto?: 'off' | 'onfocus' | 'onload' | 'onsubmit';
        name?: string;
      };
    }
  }
}
