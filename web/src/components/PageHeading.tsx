import { type ReactNode, useEffect, useRef } from 'react';

interface PageHeadingProps {
  children: ReactNode;
  description?: ReactNode;
}

/** The page's h1; it takes focus when the page opens so screen readers announce the new page. */
export function PageHeading({ children, description }: PageHeadingProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="page-heading">
      <h1 id="page-heading" ref={heading} tabIndex={-1}>
        {children}
      </h1>
      {description && <p className="lead">{description}</p>}
    </div>
  );
}
