//! `POST /teacher/upload`: the class file of the form (file picker or drag-and-drop), read in
//! chunks up to [`UPLOAD_LIMIT`] (a larger file is read to its end, not kept, and answered
//! with the "file too large" page), imported through the application layer, answered with the
//! report as the spreadsheet (`report.rs`).

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::{Bytes, BytesMut};

use super::super::error::WebError;
use super::super::session::Signed;
use super::report::{self, UploadError};
use super::{UPLOAD_LIMIT, own_school};
use crate::api::AppState;
use crate::error::IssuerError;
use crate::import::Format;

/// What the form sent.
struct Upload {
    csrf: String,
    file: Option<(String, Bytes)>,
}

/// Reads the form's fields; the file part at most [`UPLOAD_LIMIT`] bytes (the rest is read
/// and dropped, then [`WebError::TooLarge`]).
async fn read_form(mut form: Multipart) -> Result<Upload, WebError> {
    let mut upload = Upload {
        csrf: String::new(),
        file: None,
    };
    let mut too_large = false;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        match (field.name(), field.file_name().map(str::to_owned)) {
            (Some("_csrf"), _) => {
                upload.csrf = field.text().await.map_err(multipart_error)?;
            }
            (_, Some(name)) if upload.file.is_none() => {
                let mut bytes = BytesMut::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    if bytes.len() + chunk.len() > UPLOAD_LIMIT {
                        too_large = true;
                        bytes = BytesMut::new();
                    } else if !too_large {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                upload.file = Some((name, bytes.freeze()));
            }
            _ => while field.chunk().await.map_err(multipart_error)?.is_some() {},
        }
    }
    if too_large {
        return Err(WebError::TooLarge);
    }
    Ok(upload)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge
    } else {
        WebError::BadRequest
    }
}

/// `POST /teacher/upload`.
pub(super) async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    form: Multipart,
) -> Result<Response, WebError> {
    let upload = read_form(form).await?;
    signed.check_csrf(&upload.csrf)?;
    let school = own_school(&state, &signed).await?;
    let Some((name, bytes)) = upload.file.filter(|(_, b)| !b.is_empty()) else {
        return report::refused(&signed, StatusCode::BAD_REQUEST, UploadError::NoFile);
    };
    let Some(format) = Format::from_path(std::path::Path::new(&name)) else {
        return report::refused(
            &signed,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            UploadError::NotASheet(name),
        );
    };
    match state
        .issuer()
        .upload_class(
            &school,
            Some(&signed.account().id),
            bytes,
            format,
            state.now(),
        )
        .await
    {
        Ok(done) => Ok(report::page(&signed, &name, done)),
        Err(IssuerError::Import(e)) => {
            let (vi, en) = e.messages();
            let status = if e.limit().is_some() {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            report::refused(&signed, status, UploadError::File(vi, en))
        }
        Err(e) => Err(e.into()),
    }
}
