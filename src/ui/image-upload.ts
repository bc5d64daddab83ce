/**
 * Pictures from files (the picker, or dropped onto a card) become examples, many at once. Files that are
 * not images, or do not decode, are skipped and named; the others are added.
 */
import type { Target } from '../protocol/engine-api';
import type { Pipeline } from '../streams/pipeline';

/** Some systems give no type for a picture: then its extension decides. */
const IMAGE_NAME = /\.(png|jpe?g|gif|webp|bmp|avif|ico)$/i;
const isImage = (file: File) => file.type.startsWith('image/') || (file.type === '' && IMAGE_NAME.test(file.name));

export interface UploadResult {
  added: number;
  /** "notes.txt (not an image)" */
  skipped: string[];
}

export async function addImages(
  pipe: Pipeline,
  target: () => Target,
  files: Iterable<File>,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<UploadResult> {
  const list = [...files];
  const result: UploadResult = { added: 0, skipped: [] };
  for (const [i, file] of list.entries()) {
    onProgress(i, list.length);
    if (!isImage(file)) {
      result.skipped.push(`${file.name} (not an image)`);
      continue;
    }
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      result.skipped.push(`${file.name} (could not be read as a picture)`);
      continue;
    }
    try {
      await pipe.addExample(target(), bitmap);
      result.added += 1;
    } finally {
      bitmap.close();
    }
  }
  onProgress(list.length, list.length);
  return result;
}

/** What to tell the person: "Added 3 pictures. Skipped notes.txt (not an image)." */
export function uploadMessage({ added, skipped }: UploadResult): string {
  const parts = [`Added ${added} picture${added === 1 ? '' : 's'}.`];
  if (skipped.length) parts.push(`Skipped ${skipped.join(', ')}: only pictures can be examples.`);
  return parts.join(' ');
}

/** Files dragged over `el` highlight it; dropped, they go to `onFiles`. */
export function acceptDrops(el: HTMLElement, onFiles: (files: File[]) => void, signal: AbortSignal): void {
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  const on = <K extends 'dragenter' | 'dragover' | 'dragleave' | 'drop'>(type: K, fn: (e: DragEvent) => void) =>
    el.addEventListener(type, fn, { signal });
  on('dragenter', (e) => hasFiles(e) && (e.preventDefault(), el.classList.add('dropping')));
  on('dragover', (e) => hasFiles(e) && e.preventDefault());
  on('dragleave', (e) => {
    if (!el.contains(e.relatedTarget as Node | null)) el.classList.remove('dropping');
  });
  on('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    el.classList.remove('dropping');
    onFiles([...(e.dataTransfer?.files ?? [])]);
  });
}
