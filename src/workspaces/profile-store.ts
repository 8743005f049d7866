import { statement, type SqliteDatabase } from '../core/database.ts';

export interface ProfileRow {
  display_name: string;
  description: string;
  updated_at: string;
}

export function readProfile(db: SqliteDatabase): ProfileRow | undefined {
  return statement(db, 'SELECT display_name, description, updated_at FROM workspace_profile WHERE id = 1').get() as
    | ProfileRow
    | undefined;
}

export function writeProfile(db: SqliteDatabase, profile: ProfileRow): void {
  statement(db, 
    `INSERT INTO workspace_profile (id, display_name, description, updated_at) VALUES (1, @display_name, @description, @updated_at)
     ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, description = excluded.description, updated_at = excluded.updated_at`,
  ).run(profile);
}
