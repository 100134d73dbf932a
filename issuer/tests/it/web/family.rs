//! The web app: the family's pages: the child's records as PDFs, share codes and every use of them.
