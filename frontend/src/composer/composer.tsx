import type { ComposerProps } from './open';

export default function Composer(_p: ComposerProps) {
  return null;
}
