/** The part of a user an API key depends on. */
export interface ApiKeyOwner {
  roles: string[];
  disabled: boolean;
}

/** How the API-key module reads users (`UsersService` in the app, a stub in tests). */
export interface ApiKeyOwnerDirectory {
  /** Null for an unknown (deleted) user. */
  findById(id: string): Promise<ApiKeyOwner | null>;
}
