/**
 * An error the API reports to the client as `{ error, field? }` with this HTTP status (bad input, not
 * found, forbidden). `field`: the request property at fault, so a form can show the message beside it.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) => new ApiError(400, message, field);
export const notFound = (message: string) => new ApiError(404, message);
