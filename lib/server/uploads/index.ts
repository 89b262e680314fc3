import 'server-only';
export { storeCsvUpload, uploadIdFor, uploadFileName, type StoreUploadInput } from './store-upload';
