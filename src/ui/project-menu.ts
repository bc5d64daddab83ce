/**
 * The project menu: the projects kept in this browser (open, delete), "New project", "Save project"
 * (downloads `<project>.trainwhistle`), "Open project" (a file) and "Import model" (a Teachable Machine export:
 * its zip, or its three files). Opening a file or importing a model makes a project of its own, so the one open
 * now is never overwritten.
 */
import { deleteProject, listProjects } from '../index';
import { byId, h } from './dom';
import type { Notices } from './notices';
import type { ExportProgress } from '../protocol/teachable';

export interface ProjectActions {
  /** The project open now (null while none is). */
  current(): string | null;
  /** Closes the current project and opens (or creates) `name`; false if it could not be opened. */
  open(name: string): Promise<boolean>;
  /** The current project as a file. */
  save(): Promise<Blob>;
  /** A project file becomes a new project, and is opened. */
  openFile(file: File, name: string): Promise<boolean>;
  /** A Teachable Machine export (its zip, or its three files) becomes a new project, and is opened. */
  importModel(files: File[], name: string): Promise<boolean>;
  /** The current project's classifier as a Teachable Machine export (a zip). */
  exportModel(onProgress: (p: ExportProgress) => void): Promise<Blob>;
}

/** A name not taken yet: `stem`, else `stem 2`, `stem 3`… */
export function freeName(stem: string, taken: readonly string[]): string {
  if (!taken.includes(stem)) return stem;
  for (let n = 2; ; n++) if (!taken.includes(`${stem} ${n}`)) return `${stem} ${n}`;
}

/** What a file name may not hold on common systems. */
const fileName = (project: string, ending = '.trainwhistle') => `${project.replace(/[\\/:*?"<>|]/g, '_')}${ending}`;

/** Hands `blob` to the browser as a download named `name`. */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const EXPORT_PHASES: Record<ExportProgress['phase'], string> = {
  base: 'loading Teachable Machine’s MobileNet',
  reembed: 'learning the examples again',
  train: 'training',
  write: 'writing the zip',
};

export class ProjectMenu {
  readonly #menu = byId<HTMLDetailsElement>('projects');
  readonly #list = byId<HTMLUListElement>('project-list');
  readonly #name = byId('project-name');
  readonly #save = byId<HTMLButtonElement>('save-project');
  readonly #export = byId<HTMLButtonElement>('export-model');
  readonly #file = byId<HTMLInputElement>('open-project');
  readonly #model = byId<HTMLInputElement>('import-model');
  readonly #dialog = byId<HTMLDialogElement>('new-project-dialog');
  readonly #newName = byId<HTMLInputElement>('new-project-name');
  #busy = false;

  constructor(
    private readonly actions: ProjectActions,
    private readonly notices: Notices,
  ) {
    this.#menu.addEventListener('toggle', () => void (this.#menu.open && this.refresh()));
    this.#save.addEventListener('click', () => void this.#download());
    this.#export.addEventListener('click', () => void this.#exportModel());
    this.#file.addEventListener('change', () => {
      const file = this.#file.files?.[0];
      this.#file.value = '';
      if (file) void this.#openFile(file);
    });
    this.#model.addEventListener('change', () => {
      const files = [...(this.#model.files ?? [])];
      this.#model.value = '';
      if (files.length > 0) void this.#importModel(files);
    });
    byId('new-project').addEventListener('click', () => void this.#askName());
    this.#dialog.addEventListener('close', () => {
      const name = this.#newName.value.trim();
      if (this.#dialog.returnValue === 'create' && name) void this.#switch(name);
    });
    this.show();
  }

  /** Shows the current project's name, and whether there is one to save. */
  show(): void {
    const current = this.actions.current();
    this.#name.textContent = current ?? 'none open';
    this.#save.disabled = this.#export.disabled = current === null;
  }

  async refresh(): Promise<void> {
    this.show();
    const current = this.actions.current();
    let projects: Awaited<ReturnType<typeof listProjects>>;
    try {
      projects = await listProjects();
    } catch (e) {
      return this.notices.show(e);
    }
    if (projects.length === 0) {
      this.#list.replaceChildren(h('li', { class: 'empty' }, 'No projects kept in this browser yet.'));
      return;
    }
    this.#list.replaceChildren(
      ...projects.map((p) => {
        const here = p.name === current;
        const open = h(
          'button',
          { type: 'button', disabled: here, 'aria-label': `Open ${p.name}` },
          here ? 'Open now' : 'Open',
        );
        const del = h(
          'button',
          { type: 'button', class: 'quiet danger', disabled: here, 'aria-label': `Delete ${p.name}` },
          'Delete',
        );
        if (here) del.title = 'Open another project before deleting this one.';
        open.addEventListener('click', () => void this.#switch(p.name));
        let armed = false;
        del.addEventListener('click', () => {
          if (!armed) {
            armed = true;
            del.textContent = `Delete ${p.examples} examples for good?`;
            setTimeout(() => ((armed = false), (del.textContent = 'Delete')), 4000);
            return;
          }
          deleteProject(p.name).then(
            () => this.refresh(),
            (e: unknown) => this.notices.show(e),
          );
        });
        const kind =
          p.head === 'regression' ? 'sliders' : `${p.labels.length} ${p.head === 'dtw' ? 'gestures' : 'classes'}`;
        const features = p.features.model.startsWith('movenet')
          ? 'pose · '
          : p.features.model.startsWith('teachable-machine')
            ? 'Teachable Machine · '
            : '';
        const what = `${features}${kind} · ${p.examples} examples · ${new Date(p.updatedAt).toLocaleString()}`;
        return h(
          'li',
          { class: here ? 'current' : '' },
          h('span', { class: 'project-title' }, h('strong', {}, p.name), h('small', {}, what)),
          open,
          del,
        );
      }),
    );
  }

  async #taken(): Promise<string[]> {
    return (await listProjects().catch(() => [])).map((p) => p.name);
  }

  async #askName(): Promise<void> {
    this.#newName.value = freeName('Project', await this.#taken());
    this.#dialog.returnValue = '';
    this.#dialog.showModal();
    this.#newName.select();
  }

  async #switch(name: string): Promise<void> {
    if (this.#busy || name === this.actions.current()) return;
    this.#busy = true;
    this.#menu.open = false;
    try {
      await this.actions.open(name);
    } finally {
      this.#busy = false;
      this.show();
    }
  }

  async #download(): Promise<void> {
    const current = this.actions.current();
    if (current === null) return;
    this.#save.disabled = true;
    try {
      download(await this.actions.save(), fileName(current));
    } catch (e) {
      this.notices.show(e);
    } finally {
      this.#save.disabled = false;
    }
  }

  async #importModel(files: File[]): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const stem = (await modelName(files)) ?? 'Teachable Machine model';
      await this.actions.importModel(files, freeName(stem, await this.#taken()));
    } finally {
      this.#busy = false;
      this.show();
    }
  }

  /** Downloads `<project>-tm.zip`, the button saying how far it is meanwhile. */
  async #exportModel(): Promise<void> {
    const current = this.actions.current();
    if (current === null || this.#export.disabled) return;
    this.#export.disabled = true;
    this.#export.setAttribute('aria-busy', 'true');
    try {
      const zip = await this.actions.exportModel((p) => {
        this.#export.textContent = `Exporting: ${EXPORT_PHASES[p.phase]}${p.phase === 'write' ? '' : ` ${Math.round(p.fraction * 100)} %`}…`;
      });
      download(zip, fileName(current, '-tm.zip'));
    } catch (e) {
      this.notices.show(e);
    } finally {
      this.#export.textContent = 'Export model';
      this.#export.removeAttribute('aria-busy');
      this.#export.disabled = false;
    }
  }

  async #openFile(file: File): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const stem = file.name.replace(/\.(trainwhistle|zip)$/i, '').trim() || 'Opened project';
      await this.actions.openFile(file, freeName(stem, await this.#taken()));
    } finally {
      this.#busy = false;
      this.show();
    }
  }
}

/** The name a Teachable Machine export goes by: its zip's, else its metadata's `modelName`; null when neither says. */
async function modelName(files: readonly File[]): Promise<string | null> {
  const zip = files.find((f) => /\.zip$/i.test(f.name));
  if (zip) return zip.name.replace(/\.zip$/i, '').trim() || null;
  const metadata = files.find((f) => f.name.endsWith('metadata.json'));
  try {
    const name = metadata ? (JSON.parse(await metadata.text()) as { modelName?: unknown }).modelName : null;
    return typeof name === 'string' && name.trim() ? name.trim() : null;
  } catch {
    return null; // the worker says what is wrong with it
  }
}
