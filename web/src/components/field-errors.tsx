import { useState } from 'preact/hooks';
import { ApiFailure } from '../api.ts';

/** The server's refusal of a form: by field when it names one the form has, else for the whole form. */
export interface FormErrors {
  fields: Record<string, string>;
  form?: string;
}

export function formErrorsOf(e: unknown, fieldsOfForm: readonly string[]): FormErrors {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof ApiFailure && e.field && fieldsOfForm.includes(e.field)) return { fields: { [e.field]: message } };
  return { fields: {}, form: message };
}

/** State for a form whose submit calls the API: `run` clears, calls and keeps the refusal. */
export function useFormErrors(fieldsOfForm: readonly string[]) {
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const run = async (work: () => Promise<void>): Promise<boolean> => {
    setErrors({ fields: {} });
    try {
      await work();
      return true;
    } catch (e) {
      setErrors(formErrorsOf(e, fieldsOfForm));
      return false;
    }
  };
  return { errors, run, clear: () => setErrors({ fields: {} }) };
}

/** The id of a field's message, for the input's aria-describedby. */
export const errorId = (form: string, field: string) => `${form}-${field}-error`;

/** The server's message about one field, beside it (text only: the message may quote what was typed). */
export function FieldError({ form, field, errors }: { form: string; field: string; errors: FormErrors }) {
  const message = errors.fields[field];
  if (!message) return null;
  return (
    <span class="field-error" id={errorId(form, field)} role="alert" data-testid={`error-${field}`}>
      {message}
    </span>
  );
}

/** aria attributes of an input whose field the server refused. */
export const invalid = (form: string, field: string, errors: FormErrors) =>
  errors.fields[field] ? { 'aria-invalid': true, 'aria-describedby': errorId(form, field) } : {};
